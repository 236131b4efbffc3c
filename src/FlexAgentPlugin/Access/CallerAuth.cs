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

    private static bool HasToken(HttpRequest request, string expected)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        var wanted = SHA256.HashData(Encoding.UTF8.GetBytes(expected.Trim()));
        return CryptographicOperations.FixedTimeEquals(given, wanted);
    }
}
