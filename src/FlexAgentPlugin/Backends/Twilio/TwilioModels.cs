using System.Text.Json.Serialization;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>A Conversations v1 conversation (the fields the relay reads).</summary>
public sealed record Conversation(string Sid, string? State, string? FriendlyName, string? Attributes)
{
    /// <summary>True when a create found the conversation already there (an earlier attempt of the same set-up).</summary>
    [JsonIgnore]
    public bool Existed { get; init; }

    public const string Closed = "closed";

    public bool IsClosed => string.Equals(State, Closed, StringComparison.Ordinal);
}

public sealed record Participant(string Sid, string ConversationSid, string? Identity);

public sealed record ScopedWebhook(string Sid, string ConversationSid, string Target, WebhookConfiguration? Configuration);

public sealed record WebhookConfiguration(string? Url, string? FlowSid, IReadOnlyList<string>? Filters);

/// <summary>A conversation message; <see cref="Index"/> orders messages within their conversation.</summary>
public sealed record ConversationMessage(string Sid, int Index, string? Author, string? Body, string? Attributes)
{
    /// <summary>When Twilio created it (for the agent's view of the conversation).</summary>
    public DateTimeOffset? DateCreated { get; init; }
}

/// <summary>One page of a conversation's messages and the link Twilio gave to the next one (null on the last page).</summary>
public sealed record MessagePage(IReadOnlyList<ConversationMessage> Messages, string? NextPageUrl);

/// <summary>A Flex Interaction (KD…): the routing of one conversation to an agent.</summary>
public sealed record Interaction(string Sid, string? Url);

/// <summary>A media stream of a call (MZ…), as the Voice API returns it.</summary>
public sealed record CallMediaStreamResource(string Sid, string? CallSid, string? Name, string? Status);

/// <summary>
/// Resources in Twilio's JSON shape (snake_case): a webhook's configuration as Twilio returns it, and what an earlier
/// attempt of a create left, handed to the SDK as that create's answer (see <see cref="TwilioResilienceHandler.Recover"/>).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ScopedWebhook))]
[JsonSerializable(typeof(WebhookConfiguration))]
[JsonSerializable(typeof(ConversationMessage))]
internal sealed partial class TwilioJsonContext : JsonSerializerContext;
