using System.Security.Cryptography;
using System.Text;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Twilio's request signature (<c>X-Twilio-Signature</c>): base64 of HMAC-SHA1, keyed with the auth token,
/// over the full URL Twilio called followed by each form parameter's name and value, sorted by name
/// (ordinal) and, for a repeated name, by value.
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        foreach (var group in form.GroupBy(p => p.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var value in group.Select(p => p.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                data.Append(group.Key).Append(value);
            }
        }

#pragma warning disable CA5350 // SHA-1 is what Twilio signs with; the choice is Twilio's, not ours.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    /// <summary>
    /// True when <paramref name="signature"/> matches <paramref name="url"/> as given, or with its default port
    /// (443/80) added or removed, as Twilio's own libraries accept. Each comparison takes constant time; the second URL
    /// is tried only when the first does not match.
    /// </summary>
    public static bool IsValid(string authToken, string url, IReadOnlyList<KeyValuePair<string, string>> form, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(signature);
        return PortVariants(url).Any(variant => CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(Compute(authToken, variant, form))));
    }

    private static IEnumerable<string> PortVariants(string url)
    {
        yield return url;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsDefaultPort)
        {
            yield break;
        }

        var authorityStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        authorityEnd = authorityEnd < 0 ? url.Length : authorityEnd;
        var (head, authority, rest) = (url[..authorityStart], url[authorityStart..authorityEnd], url[authorityEnd..]);
        var port = $":{uri.Port}";
        yield return authority.EndsWith(port, StringComparison.Ordinal)
            ? head + authority[..^port.Length] + rest
            : head + authority + port + rest;
    }
}
