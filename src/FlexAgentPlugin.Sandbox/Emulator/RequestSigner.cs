using System.Security.Cryptography;
using System.Text;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// Twilio's side of <c>X-Twilio-Signature</c>: HMAC-SHA1 keyed with the auth token over the URL called, then every
/// form parameter's name and value in name order (values of a repeated name in value order), Base64-encoded. The
/// emulator signs its own requests with it, as Twilio does; the server checks them with the Twilio SDK's validator.
/// Written here because the SDK checks signatures but has no way to make one (only Twilio's side makes them).
/// </summary>
public static class RequestSigner
{
    public const string Header = "X-Twilio-Signature";

    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var signed = new StringBuilder(url);
        var sorted = form.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        foreach (var (name, value) in sorted.Distinct())
        {
            signed.Append(name).Append(value);
        }

#pragma warning disable CA5350 // SHA-1 is what Twilio signs with.
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
#pragma warning restore CA5350
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(signed.ToString())));
    }
}
