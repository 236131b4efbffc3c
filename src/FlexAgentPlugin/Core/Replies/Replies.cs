using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Queue;

namespace FlexAgentPlugin.Core.Replies;

/// <summary>Where the user's conversation stands after a wait.</summary>
public enum ReplyStatus
{
    /// <summary>Someone answered: <see cref="ReplyOutcome.Replies"/> holds the answers.</summary>
    Replied,

    /// <summary>The agent closed the conversation (the replies may hold their last messages); the next message starts a new one.</summary>
    Closed,

    /// <summary>No answer yet; it stays fetchable.</summary>
    Pending,
}

/// <summary>Why an outcome is pending, so each door can say what to do next.</summary>
public enum PendingReason
{
    /// <summary>No one has answered within the wait (or the server is stopping).</summary>
    NotAnsweredYet,

    /// <summary>The message is in the conversation, but Twilio or the store failed while the server was routing it or reading the answer.</summary>
    TwilioFailed,

    /// <summary>The AI handed the user to a person (its notice is in the replies), who has not answered yet.</summary>
    HandedOff,

    /// <summary>No agent is there (outside BUSINESS_HOURS, or none available in TaskRouter): said at once; the message waits for them.</summary>
    NobodyAvailable,
}

/// <summary>Who wrote a reply.</summary>
public enum ReplySource
{
    Agent,
    Ai,
}

/// <summary>One reply as a caller receives it.</summary>
public sealed record Reply(string Text, ReplySource Source);

/// <summary>One reply as the doors write it: its text and who wrote it, <c>ai</c> (the AI that answers first) or <c>agent</c> (a person in Flex).</summary>
public sealed record ReplyMessage([property: JsonPropertyName("text")] string Text, [property: JsonPropertyName("source")] string Source)
{
    public static ReplyMessage From(Reply reply) => new(reply.Text, reply.Source == ReplySource.Ai ? "ai" : "agent");
}

/// <summary>
/// What a wait ends with: the status, the replies handed out (each exactly once; <see cref="Delivery"/> holds the hand-out),
/// and the conversation waited on (when known).
/// </summary>
public sealed record ReplyOutcome(ReplyStatus Status, IReadOnlyList<Reply> Replies, PendingReason? Why = null)
{
    /// <summary>The Twilio Conversation SID the outcome is about.</summary>
    public string? ConversationSid { get; init; }

    /// <summary>Pending: the customer's place in line and expected wait, when TaskRouter tells it.</summary>
    public QueuePlace? Queue { get; init; }

    /// <summary>Pending because nobody is there: when agents are back, and what to tell the customer.</summary>
    public AgentsAway? Away { get; init; }

    /// <summary>Said in place of a message that carries only media, which the doors cannot pass on.</summary>
    public const string MediaOnlyPlaceholder = "(The agent sent an attachment that cannot be shown here.)";

    public static ReplyOutcome Closed { get; } = new(ReplyStatus.Closed, []);

    public static ReplyOutcome NotAnsweredYet { get; } = new(ReplyStatus.Pending, [], PendingReason.NotAnsweredYet);

    public static ReplyOutcome TwilioFailed { get; } = new(ReplyStatus.Pending, [], PendingReason.TwilioFailed);
}
