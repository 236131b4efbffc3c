using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Callbacks;

/// <summary>The public address of this server (e.g. the ngrok URL): what the plugin files advertise and where Twilio calls back.</summary>
public sealed class PublicUrlOptions
{
    [ConfigurationKeyName("PUBLIC_BASE_URL")]
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The original's setting. Shells and containers set HOSTNAME to the machine's name, so it counts only when it is an
    /// http(s) URL.
    /// </summary>
    [ConfigurationKeyName("HOSTNAME")]
    public string? Hostname { get; set; }

    /// <summary>Where Twilio reaches this server when no public URL is configured (a Twilio stand-in on this machine does).</summary>
    public string? TwilioReachesUsAt { get; set; }

    /// <summary>The configured public base URL without a trailing slash, or null to use each request's own host.</summary>
    public string? ConfiguredBaseUrl =>
        (Configuration.Settings.IsHttpUrl(PublicBaseUrl) ? PublicBaseUrl : Configuration.Settings.IsHttpUrl(Hostname) ? Hostname : null)?.Trim().TrimEnd('/');
}

/// <summary>
/// Where Twilio calls this server: the public base URL, or where a local stand-in reaches it. Null when Twilio
/// cannot reach the server: then replies are polled.
/// </summary>
public sealed class TwilioCallbacks(IOptions<PublicUrlOptions> options)
{
    public const string ConversationEventsPath = "/twilio/conversation-events";

    /// <summary>Where Twilio sends the events of customers' channel conversations for the AI responder.</summary>
    public const string AiResponderPath = "/twilio/ai-responder";

    /// <summary>The events each new conversation's webhook subscribes to.</summary>
    public static readonly string[] ConversationEventFilters = ["onMessageAdded", "onConversationStateUpdated"];

    public string? BaseUrl => options.Value.ConfiguredBaseUrl ?? options.Value.TwilioReachesUsAt?.TrimEnd('/');

    /// <summary>The URL to register for a conversation's events, or null when webhooks cannot reach this server.</summary>
    public string? ConversationEventsUrl => BaseUrl is { } baseUrl ? baseUrl + ConversationEventsPath : null;

    /// <summary>The URL Twilio called, as it signed it: the callback base when known, else the request's own base.</summary>
    public string CalledUrl(string requestBaseUrl, string pathAndQuery) => (BaseUrl ?? requestBaseUrl) + pathAndQuery;

    /// <summary>
    /// A WebSocket Twilio opens to this server (Media Streams, ConversationRelay), at the callback base when known, else
    /// at <paramref name="requestBaseUrl"/>: wss:// for an https base, ws:// for an http one.
    /// </summary>
    public string SocketUrl(string requestBaseUrl, string path)
    {
        var baseUrl = BaseUrl ?? requestBaseUrl;
        return (baseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? "wss://" + baseUrl["https://".Length..]
            : "ws://" + baseUrl[(baseUrl.IndexOf("://", StringComparison.Ordinal) + 3)..]) + path;
    }
}
