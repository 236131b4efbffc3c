using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// The API's bearer keys (<c>API_KEYS</c>, and <c>PLUGIN_BEARER_TOKEN</c> as the key named "default"), compared in
/// constant time with every key. The caller it authenticates is named by the key (its Name and NameIdentifier, so an MCP
/// session stays with the key that opened it). Without a configured key the API is open (and the server says so at start).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<AccessOptions> access,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Secrets.BearerToken(Request)
            ?? (Context.GetEndpoint()?.Metadata.GetMetadata<KeyInQueryAllowed>() is not null && Request.Query[KeyInQueryAllowed.Parameter].ToString() is { Length: > 0 } query
                ? query
                : null);
        if (!access.Value.RequiresKey || token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Every key is compared, so the time taken says nothing about which key (if any) matched.
        ApiKey? match = null;
        foreach (var key in access.Value.Keys)
        {
            if (Secrets.Same(token, key.Token))
            {
                match = key;
            }
        }

        return Task.FromResult(match is null
            ? AuthenticateResult.Fail("The bearer token is not one of the API's keys.")
            : AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, match.Name), new Claim(ClaimTypes.NameIdentifier, match.Name)], SchemeName)), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Missing or wrong bearer token",
                Detail = "Send the API key as the header Authorization: Bearer <token> (in a GPT Action: Authentication, API key, Bearer).",
            },
        });
    }
}

/// <summary>
/// Endpoint metadata: the API key may also come as <c>?token=</c> in the URL, for clients that cannot send a header
/// (ChatGPT's connector form). Request logs redact it.
/// </summary>
public sealed class KeyInQueryAllowed
{
    public const string Parameter = "token";
}
