using System.Text.Json.Serialization;

namespace FlexAgentPlugin.Core.Conversations;

/// <summary>A conversation in the conversation service (the fields the relay reads).</summary>
public sealed record Conversation(string Sid, string? State, string? FriendlyName, string? Attributes)
{
    /// <summary>True when a create found the conversation already there (an earlier attempt of the same set-up).</summary>
    [JsonIgnore]
    public bool Existed { get; init; }

    public const string Closed = "closed";

    public bool IsClosed => string.Equals(State, Closed, StringComparison.Ordinal);
}

/// <summary>A participant of a conversation: a customer, or an agent who joined.</summary>
public sealed record Participant(string Sid, string ConversationSid, string? Identity);

/// <summary>A webhook scoped to one conversation: Studio (<c>studio</c>) or a URL this server serves (<c>webhook</c>).</summary>
public sealed record ScopedWebhook(string Sid, string ConversationSid, string Target, WebhookConfiguration? Configuration);

/// <summary>Where a scoped webhook sends the conversation's events, and which.</summary>
public sealed record WebhookConfiguration(string? Url, string? FlowSid, IReadOnlyList<string>? Filters);

/// <summary>A conversation message; <see cref="Index"/> orders messages within their conversation.</summary>
public sealed record ConversationMessage(string Sid, int Index, string? Author, string? Body, string? Attributes)
{
    /// <summary>When the conversation service created it (for the agent's view of the conversation).</summary>
    public DateTimeOffset? DateCreated { get; init; }
}

/// <summary>One page of a conversation's messages and the link to the next one (null on the last page).</summary>
public sealed record MessagePage(IReadOnlyList<ConversationMessage> Messages, string? NextPageUrl);
