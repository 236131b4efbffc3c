using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Access;

/// <summary>
/// With <c>PLUGIN_BEARER_TOKEN</c> set, a call must carry <c>Authorization: Bearer {token}</c>; the token is
/// compared in constant time. Without one the API is open (and the server says so at start).
/// </summary>
internal static class CallerAuth
{
    public static async ValueTask<object?> RequireTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value;
        if (!options.RequiresToken || HasToken(context.HttpContext.Request, options.BearerToken!))
        {
            return await next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Missing or wrong bearer token",
            detail: "Send the API key as the header Authorization: Bearer <token> (in a GPT Action: Authentication, API key, Bearer).");
    }

    private static bool HasToken(HttpRequest request, string expected) =>
        BearerToken(request) is { } given && SameSecret(given, expected);

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null without one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        const string Scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }

    /// <summary>Compares two secrets in constant time (hashed first, so their lengths do not leak either).</summary>
    public static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected.Trim())));
}
