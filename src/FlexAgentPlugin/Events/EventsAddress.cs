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

    /// <summary>The URL to register with Twilio, or null when webhooks cannot reach this server.</summary>
    public string? CallbackUrl => BaseUrl is { } baseUrl ? baseUrl + Path : null;
}
