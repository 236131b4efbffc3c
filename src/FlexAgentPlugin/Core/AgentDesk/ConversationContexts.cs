using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.AgentDesk;

/// <summary>
/// Assembles a conversation's <see cref="ConversationContext"/> from what Twilio holds (the conversation's attributes,
/// its newest messages and their marks: the door, the caller's origin, the AI's messages and hand-off) and what the
/// store knows (whether the user's assistant waits).
/// </summary>
public sealed partial class ConversationContexts(IConversationLog twilio, AssistantPresence presence, Queue.IQueueNotices notices, TimeProvider clock)
{
    /// <summary>The newest messages read: enough for the AI's turns and the wait of any customer still waiting.</summary>
    public const int HistoryLength = 50;

    /// <summary>The conversation's context, or null when Twilio knows no such conversation.</summary>
    public async Task<ConversationContext?> FindAsync(string conversationSid, CancellationToken cancellationToken)
    {
        CheckSid(conversationSid);
        if (await twilio.FetchConversationAsync(conversationSid, cancellationToken) is not { } conversation)
        {
            return null;
        }

        var messages = await ConversationHistory.ReadAsync(twilio, conversationSid, HistoryLength, cancellationToken);
        var attributes = Parse(conversation.Attributes);
        var fromDoor = ConversationSetup.IsUserConversation(conversation.Attributes);
        var door = !fromDoor ? ContextNames.Channel : (string?)attributes?["source"] == MessageSource.Mcp.AttributeValue() ? ContextNames.Mcp : ContextNames.GptAction;
        var customerMessages = messages.Where(m => m.FromCustomer).ToList();
        var newestFromCustomer = customerMessages.LastOrDefault()?.Message;
        var marks = Parse(newestFromCustomer?.Attributes);
        var origin = new ContextOrigin(
            door,
            fromDoor || messages.CustomerAuthor is null ? null : Customer.FromAuthor(messages.CustomerAuthor).ChannelType,
            Text(marks, CallerOrigin.ClientAttribute),
            Text(marks, CallerOrigin.KeyNameAttribute));

        var lastAnswered = messages.LastOrDefault(m => !m.FromCustomer)?.Message.Index ?? -1;
        var waitingSince = customerMessages.FirstOrDefault(m => m.Message.Index > lastAnswered)?.Message.DateCreated;
        var now = clock.GetUtcNow();
        return new ConversationContext(
            conversationSid,
            new ContextCustomer(messages.CustomerAuthor, Verified(attributes)),
            origin,
            messages.Where(m => m.Marks.IsAi).LastOrDefault(m => m.Marks.Handoff is not null)?.Marks.Handoff,
            [.. messages.Where(m => m.Marks.IsAi && !string.IsNullOrEmpty(m.Message.Body)).Select(m => new AiMessage(m.Message.Body!, m.Message.DateCreated?.UtcDateTime))],
            waitingSince?.UtcDateTime,
            waitingSince is { } since ? (long)Math.Max(0, (now - since).TotalSeconds) : null,
            fromDoor ? await presence.StateAsync(conversationSid, cancellationToken) : AssistantPresence.None,
            await notices.LastToldAsync(conversationSid, cancellationToken) is { } told
                ? new ToldPlace(told.Position, told.ExpectedWaitSeconds, told.ToldAt.UtcDateTime)
                : null);
    }

    /// <summary>A conversation SID, or a 400 naming the path's field.</summary>
    public static void CheckSid(string conversationSid)
    {
        if (!SidPattern().IsMatch(conversationSid))
        {
            throw new InvalidInputException("conversationSid", "conversationSid must be a Twilio Conversation SID: CH followed by 32 hexadecimal characters.");
        }
    }

    private static VerifiedContact? Verified(JsonObject? attributes) =>
        attributes?["verified"] is JsonObject verified && Text(verified, "kind") is { } kind && Text(verified, "value") is { } value
            ? new VerifiedContact(kind, value)
            : null;

    private static string? Text(JsonObject? json, string name) =>
        json?[name] is JsonValue value && value.TryGetValue(out string? text) && !string.IsNullOrWhiteSpace(text) ? text : null;

    private static JsonObject? Parse(string? attributes)
    {
        try
        {
            return attributes is null ? null : JsonNode.Parse(attributes) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("^CH[0-9a-fA-F]{32}$")]
    private static partial Regex SidPattern();
}
