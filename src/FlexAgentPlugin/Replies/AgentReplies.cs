using System.Text.Json.Serialization;

namespace FlexAgentPlugin.Replies;

/// <summary>What <c>/send</c> and <c>/replies</c> answer: the agent's new messages, in order, and where the conversation stands.</summary>
public sealed record AgentReplies(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("replies")] IReadOnlyList<string> Replies,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null)
{
    public const string RepliedStatus = "replied";
    public const string ClosedStatus = "closed";
    public const string PendingStatus = "pending";

    /// <summary>Said in place of a message that carries only media, which this API cannot pass on.</summary>
    public const string MediaOnlyPlaceholder = "(The agent sent an attachment that cannot be shown here.)";

    /// <summary>The agent has not answered within the wait: tell the model how to get the answer later.</summary>
    public static AgentReplies Pending { get; } = new(PendingStatus, [],
        "The agent has the message but has not answered yet. Call getReplies with the same username to fetch the answer.");

    public static AgentReplies Closed { get; } = new(ClosedStatus, []);
}
