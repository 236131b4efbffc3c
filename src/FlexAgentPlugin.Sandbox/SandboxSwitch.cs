using System.Globalization;
using System.Net;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// Whether the server runs the sandbox, decided from its settings before anything else is set up. With a Twilio
/// account it does not (unless <c>SANDBOX=true</c>). Without one it does only while the server listens on this
/// machine alone (the default <c>http://localhost:5002</c>); on any other address the start stops, because the
/// console would let anyone who reaches the server read and answer users' messages. <c>SANDBOX=true</c> there
/// runs it behind a console token.
/// </summary>
public sealed record SandboxSwitch(bool On, string? SelfBaseUrl, bool NeedsConsoleToken, IReadOnlyList<string> Refusals, SandboxSettings? Settings = null)
{
    public const string DefaultUrl = "http://localhost:5002";

    private static readonly string[] CredentialSettings = ["ACCOUNT_SID", "AUTH_TOKEN", "TWILIO_API_KEY"];

    public static SandboxSwitch Decide(IConfiguration configuration)
    {
        var refusals = new List<string>();
        var forced = configuration[SandboxSettings.SwitchVariable] is { Length: > 0 } raw
            ? bool.TryParse(raw.Trim(), out var flag) ? flag : Refuse<bool?>(refusals, $"SANDBOX must be true or false, but it is '{raw}'.")
            : null;
        if (SandboxSettings.Read(configuration, refusals) is not { } settings)
        {
            return new SandboxSwitch(false, null, false, refusals);
        }

        var urls = ListeningUrls(configuration);
        var loopbackOnly = urls.All(IsLoopback);
        var hasAccount = CredentialSettings.Any(name => !string.IsNullOrWhiteSpace(configuration[name]));
        var on = forced ?? !hasAccount;
        if (on && forced is null && !loopbackOnly)
        {
            on = false;
            refusals.Add($"No Twilio account is configured (ACCOUNT_SID) and the server listens on {string.Join(", ", urls)}, "
                + "which others can reach: set ACCOUNT_SID and AUTH_TOKEN, or SANDBOX=true to run the sandbox there behind a console token.");
        }

        var self = on ? OwnHttpAddress(urls) : null;
        if (on && self is null)
        {
            refusals.Add("The sandbox needs a fixed http port to reach its own Twilio emulator: set --urls or ASPNETCORE_URLS to e.g. http://localhost:5002.");
        }

        return new SandboxSwitch(on && refusals.Count == 0, self, !loopbackOnly, refusals, settings);
    }

    /// <summary>The addresses the server will listen on, as Kestrel reads them (--urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS).</summary>
    public static IReadOnlyList<string> ListeningUrls(IConfiguration configuration)
    {
        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var ports = $"{configuration["http_ports"]};{configuration["https_ports"]}".Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return ports.Length > 0 ? [.. ports.Select(port => $"http://*:{port}")] : [DefaultUrl];
    }

    private static bool IsLoopback(string url)
    {
        var host = HostOf(url);
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    private static string HostOf(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        rest = rest.Split('/')[0];
        var colon = rest.LastIndexOf(':');
        return colon > 0 && !rest.EndsWith(']') ? rest[..colon] : rest;
    }

    /// <summary>This server's own http address (wildcard hosts read as localhost), or null when it has no fixed port.</summary>
    private static string? OwnHttpAddress(IReadOnlyList<string> urls)
    {
        foreach (var url in urls.Where(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
        {
            var hostAndPort = url["http://".Length..].TrimEnd('/');
            var colon = hostAndPort.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(hostAndPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
            {
                continue;
            }

            var host = hostAndPort[..colon] is "+" or "*" or "0.0.0.0" or "[::]" ? "localhost" : hostAndPort[..colon];
            return $"http://{host}:{port}";
        }

        return null;
    }

    private static T? Refuse<T>(List<string> refusals, string sentence)
    {
        refusals.Add(sentence);
        return default;
    }
}
