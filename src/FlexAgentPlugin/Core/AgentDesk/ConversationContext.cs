using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Conversations;

namespace FlexAgentPlugin.Core.AgentDesk;

/// <summary>
/// What the agent who takes a messaging task should know: who the customer is (and what they proved), where they came
/// from, what the AI said and why it handed off, how long they have waited, whether their assistant waits on the line,
/// and their place in the queue when known. Times are UTC.
/// </summary>
public sealed record ConversationContext(
    string ConversationSid,
    ContextCustomer Customer,
    ContextOrigin Origin,
    Handoff? Handoff,
    IReadOnlyList<AiMessage> AiMessages,
    DateTime? WaitingSince,
    long? WaitedSeconds,
    string Assistant,
    ToldPlace? Queue);

/// <summary>The customer's name (as their assistant or channel gave it) and the phone or email they proved, if any.</summary>
public sealed record ContextCustomer(string? Name, VerifiedContact? Verified);

/// <summary>A phone number or email address the customer proved with a code.</summary>
public sealed record VerifiedContact(string Kind, string Value);

/// <summary>
/// The door the customer came through (<c>mcp</c>, <c>gpt-action</c>, <c>handover</c>, <c>channel</c>, <c>voice</c>),
/// their channel for a channel customer (<c>sms</c>, <c>whatsapp</c>, <c>chat</c>, <c>voice</c>), and the MCP client's
/// and API key's names when known.
/// </summary>
public sealed record ContextOrigin(string Door, string? Channel, string? Client, string? KeyName);

/// <summary>One message the AI wrote to the customer, and when.</summary>
public sealed record AiMessage(string Text, DateTime? At);

/// <summary>The last place in the queue and expected wait the customer was told (null when unknown), and when.</summary>
public sealed record ToldPlace(
    int? Position,
    [property: JsonPropertyName("expected_wait_seconds")] int? ExpectedWaitSeconds,
    [property: JsonPropertyName("told_at")] DateTime? ToldAt);

/// <summary>The doors and channels a context names.</summary>
public static class ContextNames
{
    public const string Mcp = "mcp";
    public const string GptAction = "gpt-action";
    public const string Channel = "channel";
}
