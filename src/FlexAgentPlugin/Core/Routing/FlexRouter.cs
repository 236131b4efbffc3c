using System.Collections.Concurrent;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Users;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Routing;

/// <summary>The route of a conversation; <see cref="AlreadyRouted"/> when an earlier call made it.</summary>
public sealed record RoutedConversation(ConversationRoute Route, bool AlreadyRouted);

/// <summary>
/// Sends conversations to Flex, once each, whoever asks (the responder for users, the hand-over tool for AI
/// Assistants): with Studio routing the conversation's Studio webhook, added before the message that starts the
/// flow; with Interactions routing an Interaction, created after the customer's message is in the conversation.
/// Calls for one conversation take turns, and each route is recorded before the next turn looks.
/// </summary>
public sealed partial class FlexRouter(
    IRoutingStore routes,
    IKeyedLock locks,
    IConversationLog conversations,
    IInteractions interactions,
    IOptions<RoutingOptions> options,
    ILogger<FlexRouter> logger)
{
    public const string StudioMode = "studio";
    public const string InteractionsMode = "interactions";

    /// <summary>The task channel Flex uses for web chat and WhatsApp; SMS has its own.</summary>
    public const string ChatTaskChannel = "chat";

    /// <summary>Studio needs only new messages to start its flow.</summary>
    private static readonly string[] StudioFilters = ["onMessageAdded"];

    /// <summary>How many routed conversations this process remembers without asking the store (a route never goes away).</summary>
    private const int RememberedRoutes = 100_000;

    private readonly ConcurrentDictionary<string, ConversationRoute> routed = new(StringComparer.Ordinal);

    public RoutingMode? Mode => options.Value.EffectiveMode;

    /// <summary>
    /// With Studio routing, gives the conversation its Studio webhook (once), so the next message starts the flow. Unless
    /// the conversation is <paramref name="fresh"/>, an earlier attempt may have added it already: that is looked for first.
    /// </summary>
    public async Task PrepareStudioAsync(string conversationSid, bool fresh, CancellationToken cancellationToken)
    {
        if (Mode != RoutingMode.Studio || await FindAsync(conversationSid, cancellationToken) is not null)
        {
            return;
        }

        await using var held = await locks.AcquireAsync($"route:{conversationSid}", cancellationToken);
        if (await FindAsync(conversationSid, cancellationToken) is not null)
        {
            return;
        }

        var flowSid = options.Value.StudioFlowSid!;
        var existing = fresh ? [] : await conversations.ListWebhooksAsync(conversationSid, cancellationToken);
        if (!existing.Any(w => w.Target == "studio"))
        {
            await conversations.AddStudioWebhookAsync(conversationSid, flowSid, StudioFilters, cancellationToken);
        }

        Remember(await routes.SaveRouteAsync(new ConversationRoute(conversationSid, StudioMode, InteractionSid: null), cancellationToken));
        RoutedToStudio(logger, conversationSid, flowSid);
    }

    /// <summary>With Interactions routing, routes a user's conversation (after their message) with the configured workspace and workflow.</summary>
    public async Task RouteUserConversationAsync(string conversationSid, string username, Contact? contact, string source, CancellationToken cancellationToken)
    {
        if (Mode != RoutingMode.Interactions)
        {
            return;
        }

        await RouteOnceAsync(new InteractionRequest("chat", conversationSid, options.Value.WorkspaceSid!, options.Value.WorkflowSid!, ChatTaskChannel,
            UserTaskAttributes(username, contact, source)), cancellationToken);
    }

    /// <summary>
    /// The task attributes of a /send or MCP user's conversation: the user; or, for one who proved a phone number or email
    /// address, that customer (<c>from</c>, <c>customerName</c> and <c>customerAddress</c> are the verified address, as
    /// Flex has them for a customer who texts or writes in, and <c>verified</c> says which kind it is).
    /// </summary>
    public static Dictionary<string, string> UserTaskAttributes(string username, Contact? contact, string source) => contact is null
        ? new() { ["from"] = username, ["customerName"] = username, ["source"] = source }
        : new()
        {
            ["from"] = contact.Address,
            ["customerName"] = contact.Address,
            ["customerAddress"] = contact.Address,
            ["verified"] = contact.Kind,
            ["source"] = source,
        };

    /// <summary>Creates the Interaction unless the conversation has a route already.</summary>
    public async Task<RoutedConversation> RouteOnceAsync(InteractionRequest request, CancellationToken cancellationToken)
    {
        if (routed.TryGetValue(request.ConversationSid, out var known))
        {
            return new RoutedConversation(known, AlreadyRouted: true);
        }

        await using var held = await locks.AcquireAsync($"route:{request.ConversationSid}", cancellationToken);
        if (await FindAsync(request.ConversationSid, cancellationToken) is { } existing)
        {
            return new RoutedConversation(existing, AlreadyRouted: true);
        }

        // Once asked for, the Interaction is created and recorded even if the caller hangs up meanwhile: a task
        // that exists but is not recorded would be made again by the next call.
        var interaction = await interactions.CreateInteractionAsync(request, CancellationToken.None);
        var route = Remember(await routes.SaveRouteAsync(new ConversationRoute(request.ConversationSid, InteractionsMode, interaction.Sid), CancellationToken.None));
        RoutedWithInteraction(logger, request.ConversationSid, interaction.Sid, request.ChannelType);
        return new RoutedConversation(route, AlreadyRouted: false);
    }

    /// <summary>True once the conversation has been sent to Flex (by Studio or an Interaction).</summary>
    public async Task<bool> IsRoutedAsync(string conversationSid, CancellationToken cancellationToken) =>
        await FindAsync(conversationSid, cancellationToken) is not null;

    private async Task<ConversationRoute?> FindAsync(string conversationSid, CancellationToken cancellationToken) =>
        routed.TryGetValue(conversationSid, out var known) ? known
        : await routes.FindRouteAsync(conversationSid, cancellationToken) is { } stored ? Remember(stored)
        : null;

    private ConversationRoute Remember(ConversationRoute route)
    {
        if (routed.Count >= RememberedRoutes)
        {
            routed.Clear();
        }

        routed[route.ConversationSid] = route;
        return route;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed conversation {ConversationSid} to Studio flow {FlowSid}")]
    private static partial void RoutedToStudio(ILogger logger, string conversationSid, string flowSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed conversation {ConversationSid} to Flex with Interaction {InteractionSid} ({ChannelType})")]
    private static partial void RoutedWithInteraction(ILogger logger, string conversationSid, string interactionSid, string channelType);
}
