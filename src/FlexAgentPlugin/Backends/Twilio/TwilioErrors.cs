namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>The Twilio error codes this server acts on, in one place (https://www.twilio.com/docs/api/errors).</summary>
public static class TwilioErrors
{
    /// <summary>The credentials were refused (HTTP 401).</summary>
    public const int AuthenticationFailed = 20003;

    /// <summary>The resource does not exist (HTTP 404).</summary>
    public const int NotFound = 20404;

    /// <summary>Too many requests (HTTP 429).</summary>
    public const int TooManyRequests = 20429;

    /// <summary>A conversation with that UniqueName already exists.</summary>
    public const int ConversationExists = 50353;

    /// <summary>A Sync stream with that unique name exists already.</summary>
    public const int SyncUniqueNameExists = 54301;

    /// <summary>A message to a closed conversation.</summary>
    public const int ConversationClosed = 50377;

    /// <summary>The participant is already in the conversation (by identity, or by address).</summary>
    public static readonly int[] ParticipantExists = [50433, 50437];
}
