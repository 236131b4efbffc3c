using System.Security.Cryptography;
using System.Text;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// Off loopback (<c>SANDBOX=true</c> on an address others can reach) the console asks for a token, printed once at
/// start as a URL that carries it. The URL's <c>?token=</c> is kept in a cookie for the console's own calls; without
/// the token a request gets 401. On loopback there is no token: only this machine can reach the console.
/// </summary>
public sealed class ConsoleAccess(string? token)
{
    public const string Cookie = "flexagent_console";
    private const string Parameter = "token";

    public string? Token { get; } = token;

    public static ConsoleAccess Create(bool needsToken) =>
        new(needsToken ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : null);

    /// <summary>Lets the request through, or answers 401; a request that brings the token in the URL gets the cookie.</summary>
    public async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (Token is null)
        {
            await next(context);
            return;
        }

        if (Same(context.Request.Query[Parameter].ToString()))
        {
            context.Response.Cookies.Append(Cookie, Token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = SandboxAccount.ConsolePath,
                Secure = context.Request.IsHttps,
            });
            await next(context);
            return;
        }

        if (Same(context.Request.Cookies[Cookie]))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await context.Response.WriteAsJsonAsync(new
        {
            title = "The sandbox console needs its token",
            status = 401,
            detail = "This sandbox listens beyond this machine, so its console needs the token printed in the server's log at start: open the console URL given there (…/sandbox?token=…).",
        }, context.RequestAborted);
    }

    private bool Same(string? given) =>
        !string.IsNullOrEmpty(given)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(Token!)));
}
