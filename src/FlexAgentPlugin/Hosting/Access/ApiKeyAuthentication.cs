using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// The API's bearer key (<c>PLUGIN_BEARER_TOKEN</c>), compared in constant time. The caller it authenticates is named
/// by the key. Without a configured key the API is open (and the server says so at start).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<AccessOptions> access,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The caller's name when it used PLUGIN_BEARER_TOKEN, the single key.</summary>
    public const string SingleKeyName = "default";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!access.Value.RequiresKey || Secrets.BearerToken(Request) is not { } token)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(Secrets.Same(token, access.Value.BearerToken!)
            ? AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, SingleKeyName)], SchemeName)), SchemeName))
            : AuthenticateResult.Fail("The bearer token is not one of the API's keys."));
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
