using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Sends each request to the configured host of its API. The SDK addresses Twilio's public hosts
/// (<c>https://conversations.twilio.com/v1/…</c>); TWILIO_CONVERSATIONS_BASE_URL, TWILIO_FLEX_BASE_URL, TWILIO_API_BASE_URL,
/// TWILIO_SYNC_BASE_URL, TWILIO_IAM_BASE_URL, TWILIO_VERIFY_BASE_URL and TWILIO_TASKROUTER_BASE_URL may name a region or edge, a test server or the sandbox's emulator (with a path), which
/// then receives the same path and query. A URL already under a configured base (a next page Twilio linked to) is sent
/// as it is; any other host is refused, since the request carries the account's credentials.
/// </summary>
internal sealed class TwilioBaseUrlHandler(IOptions<TwilioOptions> options) : DelegatingHandler
{
    private readonly Lazy<Dictionary<string, string>> bases = new(() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["conversations.twilio.com"] = options.Value.ConversationsBaseUrl.TrimEnd('/'),
        ["flex-api.twilio.com"] = options.Value.FlexBaseUrl.TrimEnd('/'),
        ["api.twilio.com"] = options.Value.ApiBaseUrl.TrimEnd('/'),
        ["sync.twilio.com"] = options.Value.SyncBaseUrl.TrimEnd('/'),
        ["iam.twilio.com"] = options.Value.IamBaseUrl.TrimEnd('/'),
        ["verify.twilio.com"] = options.Value.VerifyBaseUrl.TrimEnd('/'),
        ["taskrouter.twilio.com"] = options.Value.TaskRouterBaseUrl.TrimEnd('/'),
    });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (uri.Scheme == Uri.UriSchemeHttps && bases.Value.TryGetValue(uri.Authority, out var baseUrl))
        {
            request.RequestUri = new Uri(baseUrl + uri.PathAndQuery);
        }
        else if (!bases.Value.Values.Any(configured => uri.AbsoluteUri.StartsWith(configured + "/", StringComparison.OrdinalIgnoreCase)))
        {
            throw new HttpRequestException($"Refused to send a Twilio request to {uri.Scheme}://{uri.Authority}, which is no Twilio host this server is configured for.");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
