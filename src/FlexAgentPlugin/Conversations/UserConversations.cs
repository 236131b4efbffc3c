using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Events;
using FlexAgentPlugin.Routing;
using FlexAgentPlugin.Storage;
using FlexAgentPlugin.Twilio;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Conversations;

/// <summary>
/// The conversation a user's message goes to; <see cref="IsNew"/> when it was just created, <see cref="AwaitsInteraction"/>
/// when it was set up for Interactions routing and no Interaction has routed it yet.
/// </summary>
public sealed record UserConversation(string Sid, bool IsNew, long? LastDeliveredIndex, bool AwaitsInteraction);

/// <summary>
/// Finds the user's open Twilio conversation, or creates one (routed to Flex by its Studio webhook in Studio mode;
/// in Interactions mode the relay routes it after the first message). The user is remembered by
/// the SHA-256 of the username; the row is written only once the conversation is fully set up. Whether a stored
/// conversation is still open comes from SQLite (kept by the state webhook and by failed posts), not from a
/// fetch before every message. At most <see cref="TwilioSetup.MaxConnectionsPerHost"/> set-ups run at once: in a
/// burst of new users the rest wait their turn holding nothing but their request.
/// </summary>
public sealed partial class UserConversations(
    ConversationStore store,
    ConversationsClient twilio,
    KeyedLock locks,
    SetupGate setups,
    EventsAddress events,
    IOptions<RoutingOptions> routing,
    ILogger<UserConversations> logger)
{
    /// <summary>How a conversation was set up to reach Flex, as stored with it.</summary>
    private const string StudioRouting = "studio";
    private const string InteractionsRouting = "interactions";

    /// <summary>Studio needs only new messages to start its flow.</summary>
    private static readonly string[] StudioFilters = ["onMessageAdded"];

    public static string UserKey(string username) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(username)));

    /// <summary>True when Twilio's error means the conversation is gone (404) or closed (50377).</summary>
    public static bool IsGone(TwilioApiException error) =>
        error.Status == HttpStatusCode.NotFound || error.Code == ClosedConversationCode;

    /// <summary>Twilio's code for a message to a closed conversation.</summary>
    public const int ClosedConversationCode = 50377;

    /// <summary>
    /// The user's open conversation; concurrent calls for one user share it. <paramref name="gone"/> names a
    /// conversation just found closed or missing, which is replaced unless another call already did so.
    /// </summary>
    public async Task<UserConversation> GetOrCreateAsync(string username, string? gone, CancellationToken cancellationToken)
    {
        var userKey = UserKey(username);
        using var held = await locks.AcquireAsync(userKey, cancellationToken);

        var stored = await store.FindAsync(userKey, cancellationToken);
        if (stored is { Closed: false } && stored.ConversationSid != gone)
        {
            return new UserConversation(stored.ConversationSid, IsNew: false, stored.LastDeliveredIndex,
                AwaitsInteraction: stored.Routing == InteractionsRouting && stored.InteractionSid is null);
        }

        if (stored is not null)
        {
            Log.Replacing(logger, stored.ConversationSid);
        }

        string conversationSid;
        await setups.Gate.WaitAsync(cancellationToken);
        try
        {
            conversationSid = await CreateRoutedConversationAsync(username, UniqueName(userKey, stored?.ConversationSid), cancellationToken);
        }
        finally
        {
            setups.Gate.Release();
        }

        var interactions = routing.Value.EffectiveMode == RoutingMode.Interactions;
        await store.SaveNewAsync(userKey, conversationSid, interactions ? InteractionsRouting : StudioRouting, cancellationToken);
        return new UserConversation(conversationSid, IsNew: true, LastDeliveredIndex: -1, AwaitsInteraction: interactions);
    }

    /// <summary>
    /// The conversation's UniqueName: the same for every attempt of one set-up (so a retried or repeated create
    /// finds the conversation an earlier attempt made), different from the conversation it replaces.
    /// </summary>
    public static string UniqueName(string userKey, string? replacing) =>
        "flexagent-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{userKey}:{replacing ?? "first"}")))[..40];

    /// <summary>
    /// Creates (or, after an interrupted earlier attempt, completes) the conversation: participant, event webhook,
    /// and in Studio mode the Studio webhook. Each step is safe to repeat: the create finds its UniqueName, an existing participant counts
    /// as added, and webhooks already present are not added twice.
    /// </summary>
    private async Task<string> CreateRoutedConversationAsync(string username, string uniqueName, CancellationToken cancellationToken)
    {
        var attributes = new JsonObject { ["source"] = "ai-plugin", ["created_by"] = "FlexAgentPlugin" }.ToJsonString();
        var conversation = await twilio.CreateConversationAsync($"AI plugin: {username}", uniqueName, attributes, cancellationToken);
        await twilio.AddChatParticipantAsync(conversation.Sid, username, cancellationToken);
        var existing = conversation.Existed ? await twilio.ListWebhooksAsync(conversation.Sid, cancellationToken) : [];
        if (events.CallbackUrl is { } callback && !existing.Any(w => w.Target == "webhook" && w.Configuration?.Url == callback))
        {
            await twilio.AddEventWebhookAsync(conversation.Sid, callback, ConversationEventsEndpoints.Filters, cancellationToken);
        }

        if (routing.Value.EffectiveMode == RoutingMode.Interactions)
        {
            Log.CreatedForInteraction(logger, conversation.Sid);
            return conversation.Sid;
        }

        var flowSid = routing.Value.StudioFlowSid!;
        if (!existing.Any(w => w.Target == "studio"))
        {
            await twilio.AddStudioWebhookAsync(conversation.Sid, flowSid, StudioFilters, cancellationToken);
        }

        Log.CreatedWithStudio(logger, conversation.Sid, flowSid);
        return conversation.Sid;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationSid} is closed or gone; starting a new one for the user")]
        public static partial void Replacing(ILogger logger, string conversationSid);

        [LoggerMessage(Level = LogLevel.Information, Message = "Created conversation {ConversationSid} and routed it to Studio flow {FlowSid}")]
        public static partial void CreatedWithStudio(ILogger logger, string conversationSid, string flowSid);

        [LoggerMessage(Level = LogLevel.Information, Message = "Created conversation {ConversationSid}; a Flex Interaction routes it after the first message")]
        public static partial void CreatedForInteraction(ILogger logger, string conversationSid);
    }
}
