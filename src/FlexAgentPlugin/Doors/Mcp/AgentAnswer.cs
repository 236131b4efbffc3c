using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Replies;
using ModelContextProtocol.Protocol;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>The structured result of both tools (their declared output schema), and the text the model reads.</summary>
public sealed record AgentAnswer(
    [property: JsonPropertyName("status"), AllowedValues("replied", "closed", "pending"), Description("replied: the agent answered; closed: the agent ended the conversation (a new message starts a new one); pending: no answer yet, call get_agent_replies")]
    string Status,
    [property: JsonPropertyName("replies"), Description("The replies not handed out before, oldest first")]
    IReadOnlyList<string> Replies,
    [property: JsonPropertyName("messages"), Description("The same replies with who wrote each: source ai (the AI that answers first) or agent (a person in Flex)")]
    IReadOnlyList<ReplyMessage> Messages,
    [property: JsonPropertyName("conversation_id"), Description("The Twilio Conversation SID of the user's conversation with Flex")]
    string? ConversationId,
    [property: JsonPropertyName("user"), Description("The user the conversation belongs to")]
    string User,
    [property: JsonPropertyName("queue"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull),
        Description("When pending: the user's place in line (1: next) and the wait to expect in seconds (null when unknown)")]
    QueuePlace? Queue = null)
{
    public static AgentAnswer From(ReplyOutcome outcome, string user) =>
        new(outcome.Status.ToString().ToLowerInvariant(), [.. outcome.Replies.Select(r => r.Text)], [.. outcome.Replies.Select(ReplyMessage.From)],
            outcome.ConversationSid, user, outcome.Queue);

    /// <summary>The tool result: text for the model, and this record as structured content.</summary>
    public CallToolResult ToResult(ReplyOutcome outcome) => new()
    {
        Content = [new TextContentBlock { Text = Text(outcome) }],
        StructuredContent = JsonSerializer.SerializeToElement(this, McpJson.Default.AgentAnswer),
    };

    private string Text(ReplyOutcome outcome)
    {
        var said = string.Join("\n\n", Replies);
        var place = Queue is { } known ? QueueWords.Place(known) + " " : "";
        return outcome.Status switch
        {
            ReplyStatus.Replied when Messages.All(m => m.Source == "ai") => $"The assistant answered:\n\n{said}",
            ReplyStatus.Replied => $"The human agent answered:\n\n{said}",
            ReplyStatus.Closed when Replies.Count > 0 =>
                $"The human agent answered:\n\n{said}\n\nThen the agent closed the conversation; a new message with ask_human_agent starts a new one.",
            ReplyStatus.Closed => "The human agent has closed the conversation. A new message with ask_human_agent starts a new one.",
            _ when outcome.Why == PendingReason.NobodyAvailable =>
                $"{outcome.Away?.Sentence} The message is with them. Do not send it again: call get_agent_replies (user \"{User}\") later to fetch the answer.",
            _ when outcome.Why == PendingReason.HandedOff =>
                $"{said}\n\n{place}A person is taking over and has not answered yet. Do not send the message again: call get_agent_replies (user \"{User}\", wait_seconds {McpOptions.MaxWaitSeconds}) to fetch their answer.",
            _ when outcome.Why == PendingReason.TwilioFailed =>
                $"The message reached the human agent, but their answer could not be read just now. Do not send it again: call get_agent_replies (user \"{User}\", wait_seconds {McpOptions.MaxWaitSeconds}) to fetch the answer.",
            _ => $"{place}The human agent has the message but has not answered yet. Do not send it again: call get_agent_replies (user \"{User}\", wait_seconds {McpOptions.MaxWaitSeconds}) to fetch the answer.",
        };
    }
}

[JsonSerializable(typeof(AgentAnswer))]
internal sealed partial class McpJson : JsonSerializerContext;
