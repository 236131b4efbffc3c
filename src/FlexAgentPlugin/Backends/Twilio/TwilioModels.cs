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

public sealed record ParticipantPage(IReadOnlyList<Participant> Participants, PageMeta Meta);

public sealed record ScopedWebhook(string Sid, string ConversationSid, string Target, WebhookConfiguration? Configuration);

public sealed record WebhookConfiguration(string? Url, string? FlowSid, IReadOnlyList<string>? Filters);

public sealed record WebhookPage(IReadOnlyList<ScopedWebhook> Webhooks, PageMeta Meta);

/// <summary>A conversation message; <see cref="Index"/> orders messages within their conversation.</summary>
public sealed record ConversationMessage(string Sid, int Index, string? Author, string? Body, string? Attributes);

public sealed record PageMeta(int Page, int PageSize, string? NextPageUrl, string? Key);

public sealed record MessagePage(IReadOnlyList<ConversationMessage> Messages, PageMeta Meta);

/// <summary>A Flex Interaction (KD…): the routing of one conversation to an agent.</summary>
public sealed record Interaction(string Sid, string? Url);

/// <summary>A media stream of a call (MZ…), as the Voice API returns it.</summary>
public sealed record CallMediaStreamResource(string Sid, string? CallSid, string? Name, string? Status);

/// <summary>A Sync stream (TO…) and a message published to one.</summary>
public sealed record SyncStreamResource(string Sid, string? UniqueName);

public sealed record SyncStreamMessage(string Sid);

/// <summary>The error body Twilio returns with every 4xx and 5xx.</summary>
public sealed record TwilioError(int? Code, string? Message, string? MoreInfo, int? Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Conversation))]
[JsonSerializable(typeof(Participant))]
[JsonSerializable(typeof(ParticipantPage))]
[JsonSerializable(typeof(ScopedWebhook))]
[JsonSerializable(typeof(ConversationMessage))]
[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(WebhookPage))]
[JsonSerializable(typeof(Interaction))]
[JsonSerializable(typeof(TwilioError))]
[JsonSerializable(typeof(CallMediaStreamResource))]
[JsonSerializable(typeof(SyncStreamResource))]
[JsonSerializable(typeof(SyncStreamMessage))]
internal sealed partial class TwilioJsonContext : JsonSerializerContext;
