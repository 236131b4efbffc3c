using FlexAgentPlugin.PluginFiles;
using FlexAgentPlugin.Sandbox;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Events;

/// <summary>
/// Where Twilio can reach this server's event webhook: the public base URL (PUBLIC_BASE_URL, or HOSTNAME when it
/// is a URL), or in sandbox mode the server's own address. Null when Twilio cannot reach us: then replies are polled.
/// </summary>
public sealed class EventsAddress(IOptions<PluginOptions> plugin, SandboxMode sandbox)
{
    public const string Path = "/twilio/conversation-events";

    public string? BaseUrl => plugin.Value.ConfiguredBaseUrl ?? (sandbox.Enabled ? sandbox.SelfBaseUrl : null);

    /// <summary>The URL Twilio called for <paramref name="request"/>, as it signed it: the public base URL when known.</summary>
    public string CalledUrl(HttpRequest request) =>
        (BaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}") + request.Path + request.QueryString;

    /// <summary>The URL to register with Twilio, or null when webhooks cannot reach this server.</summary>
    public string? CallbackUrl => BaseUrl is { } baseUrl ? baseUrl + Path : null;
}
