using System.Globalization;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The sandbox's own settings: <c>SANDBOX_AUTO_REPLY_SECONDS</c> (a simulated agent answers each routed customer
/// message after that many seconds) and <c>SANDBOX_AUTH_TOKEN</c> (the emulated account's auth token; a fresh
/// random one when unset).
/// </summary>
public sealed record SandboxSettings(double? AutoReplySeconds, string? AuthToken)
{
    public const string SwitchVariable = "SANDBOX";
    public const string AutoReplyVariable = "SANDBOX_AUTO_REPLY_SECONDS";
    public const string AuthTokenVariable = "SANDBOX_AUTH_TOKEN";

    /// <summary>Every setting the sandbox reads (before the host's options exist).</summary>
    public static IReadOnlyList<string> Variables { get; } = [SwitchVariable, AutoReplyVariable, AuthTokenVariable];

    /// <summary>The settings, or null after adding a sentence per malformed one to <paramref name="refusals"/>.</summary>
    public static SandboxSettings? Read(IConfiguration configuration, List<string> refusals)
    {
        double? autoReply = null;
        if (configuration[AutoReplyVariable] is { Length: > 0 } raw)
        {
            if (double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 3600)
            {
                autoReply = seconds;
            }
            else
            {
                refusals.Add($"SANDBOX_AUTO_REPLY_SECONDS must be a number of seconds between 0 and 3600, but it is '{raw}'.");
            }
        }

        var token = configuration[AuthTokenVariable] is { Length: > 0 } given ? given.Trim() : null;
        if (token is { Length: < 16 })
        {
            refusals.Add("SANDBOX_AUTH_TOKEN must be at least 16 characters long.");
        }

        return refusals.Count == 0 ? new SandboxSettings(autoReply, token) : null;
    }
}
