using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Configuration;

/// <summary>Checks shared by the options classes: Twilio SID shapes and absolute web addresses.</summary>
internal static partial class Settings
{
    /// <summary>True when <paramref name="value"/> is unset or a Twilio SID with <paramref name="prefix"/> (e.g. AC, FW).</summary>
    public static bool IsSidOrEmpty(string? value, string prefix) =>
        string.IsNullOrWhiteSpace(value) || IsSid(value, prefix);

    public static bool IsSid(string? value, string prefix) =>
        value is not null && value.StartsWith(prefix, StringComparison.Ordinal) && SidBody().IsMatch(value.AsSpan(2));

    public static bool IsHttpUrlOrEmpty(string? value) => string.IsNullOrWhiteSpace(value) || IsHttpUrl(value);

    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex("^[0-9a-fA-F]{32}$")]
    private static partial Regex SidBody();
}
