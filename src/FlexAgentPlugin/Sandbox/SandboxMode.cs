using System.Globalization;
using System.Security.Cryptography;
using FlexAgentPlugin.Twilio;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// Decides whether this process runs the sandbox, and if so how the relay reaches it: the relay's ordinary
/// Twilio client is pointed, through the Twilio base URL settings, at this server's own emulator over HTTP.
/// </summary>
public sealed class SandboxMode
{
    public const string TwilioPath = "/sandbox/twilio";
    public const string FlexPath = "/sandbox/flex";
    public const string ConsolePath = "/sandbox";

    /// <summary>The sandbox's account, flow, workspace and workflow SIDs: well-formed, and never a real account's.</summary>
    public static readonly string AccountSid = "AC" + new string('0', 32);

    public static readonly string StudioFlowSid = "FW" + new string('0', 32);

    /// <summary>The Conversations service every sandbox conversation belongs to (the IS… of an AI Assistant's session id).</summary>
    public static readonly string ChatServiceSid = "IS" + new string('0', 32);

    public static readonly string WorkspaceSid = "WS" + new string('0', 32);

    public static readonly string WorkflowSid = "WW" + new string('0', 32);

    public SandboxMode(IConfiguration configuration)
    {
        var forced = bool.TryParse(configuration["SANDBOX"], out var flag) ? flag : (bool?)null;
        var account = new TwilioOptions();
        configuration.Bind(account);
        var hasCredentials = !string.IsNullOrWhiteSpace(account.AccountSid)
            || !string.IsNullOrWhiteSpace(account.AuthToken)
            || !string.IsNullOrWhiteSpace(account.ApiKey);
        Enabled = forced ?? !hasCredentials;
        SelfBaseUrl = OwnHttpAddress(configuration);
    }

    public bool Enabled { get; }

    /// <summary>This server's own http address (wildcard hosts read as localhost), or null when it has no fixed port.</summary>
    public string? SelfBaseUrl { get; }

    /// <summary>A fresh secret per start: the emulator checks Basic auth like Twilio does.</summary>
    public string AuthToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string ConsoleUrl => $"{SelfBaseUrl}{ConsolePath}";

    private static string? OwnHttpAddress(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            var port = configuration["http_ports"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            urls = port is null ? Configuration.EnvironmentSettings.DefaultUrl : $"http://localhost:{port}";
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var hostAndPort = url["http://".Length..].TrimEnd('/');
            var colon = hostAndPort.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(hostAndPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber == 0)
            {
                continue;
            }

            var host = hostAndPort[..colon] is "+" or "*" or "0.0.0.0" or "[::]" ? "localhost" : hostAndPort[..colon];
            return $"http://{host}:{portNumber}";
        }

        return null;
    }
}
