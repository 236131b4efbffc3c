using System.Security.Cryptography;
using System.Text;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>Reading and comparing the secrets callers present.</summary>
public static class Secrets
{
    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null without one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        const string Scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }

    /// <summary>Compares two secrets in constant time (hashed first, so their lengths do not leak either).</summary>
    public static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected.Trim())));
}
