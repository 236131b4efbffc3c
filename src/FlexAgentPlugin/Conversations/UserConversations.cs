using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Storage;
using FlexAgentPlugin.Twilio;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Conversations;

/// <summary>
/// Finds the open Twilio conversation of a user, or creates one and routes it to Flex. The user is
/// remembered by the SHA-256 of the username; the row is written only once the conversation is fully set up.
/// </summary>
public sealed partial class UserConversations(
    ConversationStore store,
    ConversationsClient twilio,
    KeyedLock locks,
    IOptions<ConversationOptions> options,
    ILogger<UserConversations> logger)
{
    /// <summary>Studio needs only new messages to start its flow.</summary>
    private static readonly string[] StudioFilters = ["onMessageAdded"];

    public static string UserKey(string username) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(username)));

    /// <summary>The SID of the user's open conversation; concurrent calls for one user share it.</summary>
    public async Task<string> GetOrCreateAsync(string username, CancellationToken cancellationToken)
    {
        var userKey = UserKey(username);
        using var held = await locks.AcquireAsync(userKey, cancellationToken);

        var stored = await store.FindAsync(userKey, cancellationToken);
        if (stored is not null)
        {
            var current = await twilio.FetchConversationAsync(stored.ConversationSid, cancellationToken);
            if (current is { IsClosed: false })
            {
                return current.Sid;
            }

            Log.Replacing(logger, stored.ConversationSid, current is null ? "gone" : Conversation.Closed);
        }

        var conversationSid = await CreateRoutedConversationAsync(username, cancellationToken);
        await store.SaveAsync(userKey, conversationSid, cancellationToken);
        return conversationSid;
    }

    private async Task<string> CreateRoutedConversationAsync(string username, CancellationToken cancellationToken)
    {
        var attributes = new JsonObject { ["source"] = "ai-plugin", ["created_by"] = "FlexAgentPlugin" }.ToJsonString();
        var conversation = await twilio.CreateConversationAsync($"AI plugin: {username}", attributes, cancellationToken);
        await twilio.AddChatParticipantAsync(conversation.Sid, username, cancellationToken);
        var flowSid = options.Value.StudioFlowSid!;
        await twilio.AddStudioWebhookAsync(conversation.Sid, flowSid, StudioFilters, cancellationToken);
        Log.Created(logger, conversation.Sid, flowSid);
        return conversation.Sid;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationSid} is {State}; starting a new one for the user")]
        public static partial void Replacing(ILogger logger, string conversationSid, string state);

        [LoggerMessage(Level = LogLevel.Information, Message = "Created conversation {ConversationSid} and routed it to Studio flow {FlowSid}")]
        public static partial void Created(ILogger logger, string conversationSid, string flowSid);
    }
}
