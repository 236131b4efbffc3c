using System.Text.Json.Serialization;
using FlexAgentPlugin.Twilio;

namespace FlexAgentPlugin.Replies;

/// <summary>What <c>/send</c> answers: the agent's messages, or that the conversation was closed.</summary>
public sealed record AgentReplies(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("replies")] IReadOnlyList<string> Replies)
{
    public const string RepliedStatus = "replied";
    public const string ClosedStatus = "closed";

    /// <summary>Said in place of a message that carries only media, which this API cannot pass on.</summary>
    public const string MediaOnlyPlaceholder = "(The agent sent an attachment that cannot be shown here.)";

    public static AgentReplies Closed { get; } = new(ClosedStatus, []);

    public static AgentReplies Replied(IReadOnlyList<string> replies) => new(RepliedStatus, replies);

    /// <summary>
    /// The agent's messages after the user's message (by Index), oldest first. Anything the user wrote —
    /// including a second message sent meanwhile — is not a reply.
    /// </summary>
    public static IReadOnlyList<string> After(IEnumerable<ConversationMessage> messages, int userMessageIndex, string username) =>
        messages
            .Where(m => m.Index > userMessageIndex && !string.Equals(m.Author, username, StringComparison.Ordinal))
            .OrderBy(m => m.Index)
            .Select(m => string.IsNullOrEmpty(m.Body) ? MediaOnlyPlaceholder : m.Body)
            .ToList();
}
