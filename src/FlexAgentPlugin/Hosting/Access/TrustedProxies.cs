using System.Net;
using FlexAgentPlugin.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the server believes, besides this machine's own
/// (loopback: ngrok's agent, a sidecar): the client address they name is the caller a rate limit counts for. A header
/// from anyone else is ignored, so a caller cannot pick its own bucket.
/// </summary>
public sealed class ProxyOptions
{
    /// <summary>Networks in CIDR form, comma-separated (<c>172.18.0.0/16</c>): every proxy in them is trusted.</summary>
    [ConfigurationKeyName("FORWARDED_HEADERS_KNOWN_NETWORKS")]
    public string? KnownNetworks { get; set; }

    /// <summary>Single proxy addresses, comma-separated (<c>10.0.0.7</c>).</summary>
    [ConfigurationKeyName("FORWARDED_HEADERS_KNOWN_PROXIES")]
    public string? KnownProxies { get; set; }

    public IReadOnlyList<string> NetworkEntries => Split(KnownNetworks);

    public IReadOnlyList<string> ProxyEntries => Split(KnownProxies);

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The framework's forwarded-headers options, from <see cref="ProxyOptions"/> (validated at start).</summary>
public static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>()
            .BindEnvironment()
            .Validate(o => o.NetworkEntries.All(entry => System.Net.IPNetwork.TryParse(entry, out _)),
                "FORWARDED_HEADERS_KNOWN_NETWORKS must be networks in CIDR form separated by commas, such as 172.18.0.0/16.")
            .Validate(o => o.ProxyEntries.All(entry => IPAddress.TryParse(entry, out _)),
                "FORWARDED_HEADERS_KNOWN_PROXIES must be IP addresses separated by commas, such as 10.0.0.7.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var entry in proxies.Value.NetworkEntries)
            {
                if (System.Net.IPNetwork.TryParse(entry, out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            }

            foreach (var entry in proxies.Value.ProxyEntries)
            {
                if (IPAddress.TryParse(entry, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }
        });
        return services;
    }
}
