using FlexAgentPlugin.Configuration;

namespace FlexAgentPlugin.PluginFiles;

/// <summary>The public address the manifest and openapi.yaml advertise (e.g. the ngrok URL).</summary>
public sealed class PluginOptions
{
    [ConfigurationKeyName("PUBLIC_BASE_URL")]
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The original's setting. Shells and containers set HOSTNAME to the machine's name, so it counts
    /// only when it is an http(s) URL.
    /// </summary>
    [ConfigurationKeyName("HOSTNAME")]
    public string? Hostname { get; set; }

    /// <summary>The configured public base URL without a trailing slash, or null to use the request's own host.</summary>
    public string? ConfiguredBaseUrl =>
        (Settings.IsHttpUrl(PublicBaseUrl) ? PublicBaseUrl : Settings.IsHttpUrl(Hostname) ? Hostname : null)?.Trim().TrimEnd('/');

    public string BaseUrlFor(HttpRequest request) =>
        ConfiguredBaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
}
