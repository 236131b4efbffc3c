using Twilio.Security;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Checks Twilio's request signature (<c>X-Twilio-Signature</c>, made with the account's auth token) with the SDK's
/// <see cref="RequestValidator"/>: over the URL Twilio called and the form parameters, or, for a JSON body, over the
/// URL whose <c>bodySHA256</c> parameter covers the body. A URL with its default port (443/80) added or removed
/// matches too, as Twilio's libraries allow.
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    /// <summary>True when <paramref name="signature"/> is the auth token's signature of <paramref name="url"/> and <paramref name="form"/>.</summary>
    public static bool IsValid(string authToken, string url, IReadOnlyList<KeyValuePair<string, string>> form, string? signature)
    {
        // Twilio signs a repeated name once per distinct value, in value order (name and value each time); the validator
        // takes one value per name, so a repeated name's values are joined by the name: the same signed text.
        var parameters = form.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => string.Join(g.Key, g.Select(p => p.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            StringComparer.Ordinal);
        return Check(authToken, url, signature, (validator, candidate) => validator.Validate(candidate, parameters, signature));
    }

    /// <summary>
    /// For a JSON body: true when the URL is signed and, if it carries <paramref name="bodyHash"/> (its <c>bodySHA256</c>
    /// parameter), the body hashes to it; without one the signature covers the URL alone.
    /// </summary>
    public static bool IsValidJson(string authToken, string url, string body, string? bodyHash, string? signature) =>
        Check(authToken, url, signature, (validator, candidate) => validator.Validate(candidate, new Dictionary<string, string>(), signature))
            && (string.IsNullOrEmpty(bodyHash) || RequestValidator.ValidateBody(body, bodyHash.ToLowerInvariant()));

    /// <summary>
    /// No token or no signature never matches; a URL the validator cannot take (a malformed Host) does not either. The
    /// validator adds the default port to a URL without one (or removes a port it sees), but it reads an explicit
    /// default port as none: such a URL is also tried without it.
    /// </summary>
    private static bool Check(string authToken, string url, string? signature, Func<RequestValidator, string, bool> validate)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }

        try
        {
            var validator = new RequestValidator(authToken);
            return validate(validator, url) || (WithoutDefaultPort(url) is var bare && bare != url && validate(validator, bare));
        }
        catch (Exception error) when (error is ArgumentException or UriFormatException)
        {
            return false;
        }
    }

    private static string WithoutDefaultPort(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsDefaultPort)
        {
            return url;
        }

        var authorityStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        authorityEnd = authorityEnd < 0 ? url.Length : authorityEnd;
        var port = $":{uri.Port}";
        return url.AsSpan(authorityStart, authorityEnd - authorityStart).EndsWith(port, StringComparison.Ordinal)
            ? string.Concat(url.AsSpan(0, authorityEnd - port.Length), url.AsSpan(authorityEnd))
            : url;
    }
}
