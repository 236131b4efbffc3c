using FlexAgentPlugin.Conversations;
using FlexAgentPlugin.Storage;
using FlexAgentPlugin.Twilio;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Routing;

/// <summary>The Interaction that routes a conversation; <see cref="AlreadyRouted"/> when an earlier call made it.</summary>
public sealed record RoutedConversation(string InteractionSid, bool AlreadyRouted);

/// <summary>
/// Creates at most one Flex Interaction (one task) per conversation, for the relay and the hand-over tool alike:
/// calls for one conversation take turns, and the Interaction is recorded in SQLite before the next turn looks.
/// </summary>
public sealed partial class FlexInteractions(
    InteractionsClient flex,
    ConversationStore store,
    KeyedLock locks,
    IOptions<RoutingOptions> options,
    ILogger<FlexInteractions> logger)
{
    /// <summary>The task channel Flex uses for web chat and WhatsApp; SMS has its own.</summary>
    public const string ChatTaskChannel = "chat";

    /// <summary>Routes a relay user's conversation (after their first message) with the configured workspace and workflow.</summary>
    public Task<RoutedConversation> RouteUserConversationAsync(string conversationSid, string username, CancellationToken cancellationToken) =>
        RouteOnceAsync(new InteractionRequest("chat", conversationSid, options.Value.WorkspaceSid!, options.Value.WorkflowSid!, ChatTaskChannel,
            new Dictionary<string, string> { ["from"] = username, ["customerName"] = username, ["source"] = "ai-plugin" }), cancellationToken);

    public async Task<RoutedConversation> RouteOnceAsync(InteractionRequest request, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(request.ConversationSid, cancellationToken);
        if (await store.FindInteractionAsync(request.ConversationSid, cancellationToken) is { } existing)
        {
            return new RoutedConversation(existing, AlreadyRouted: true);
        }

        // Once asked for, the Interaction is created and recorded even if the caller hangs up meanwhile: a task
        // that exists but is not recorded would be made again by the next call.
        var interaction = await flex.CreateInteractionAsync(request, CancellationToken.None);
        await store.SaveInteractionAsync(request.ConversationSid, interaction.Sid, CancellationToken.None);
        Routed(logger, request.ConversationSid, interaction.Sid, request.ChannelType);
        return new RoutedConversation(interaction.Sid, AlreadyRouted: false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed conversation {ConversationSid} to Flex with Interaction {InteractionSid} ({ChannelType})")]
    private static partial void Routed(ILogger logger, string conversationSid, string interactionSid, string channelType);
}
