using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Hosting.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// Agents signed in with their own Flex token: <c>Authorization: Bearer &lt;the JWE Flex UI holds in manager.user.token&gt;</c>,
/// validated by Twilio (<see cref="FlexSignIns"/>). The agent is the request's user, named by its identity. A token
/// Twilio does not accept is 401 (<c>WWW-Authenticate: Bearer</c>); a valid token without an agent, supervisor or admin
/// role is 403 (the <see cref="AccessPolicies.Agent"/> policy forbids it); Twilio unable to say is 503 with Retry-After.
/// </summary>
public sealed class FlexTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    FlexSignIns signIns,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "FlexToken";

    /// <summary>The agents' scheme: the Flex token when the bearer token is a JWE (or there is none), else the API keys.</summary>
    public const string AgentSchemeName = "Agent";

    private Exception? unavailable;
    private bool presented;
    private string? refusal;

    /// <summary>True when <paramref name="token"/> is a JWE in compact form: five parts, the first a JSON header naming its "enc".</summary>
    public static bool IsJwe(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 5 || parts[0].Length is 0 or > 2048 || !Base64Url.IsValid(parts[0]))
        {
            return false;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            return header.RootElement.ValueKind == JsonValueKind.Object && header.RootElement.TryGetProperty("enc", out _);
        }
        catch (Exception error) when (error is JsonException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Whether the user may use the agents' endpoints: an agent key or API key, or a Flex agent with an agent role.</summary>
    public static bool MayAssist(ClaimsPrincipal user) =>
        user.Identity?.AuthenticationType != FlexSignIn.AuthenticationType
        || user.Claims.Any(claim => claim.Type == ClaimTypes.Role && FlexSignIns.AgentRoles.Contains(claim.Value));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Secrets.BearerToken(Request) is not { Length: > 0 } token)
        {
            return AuthenticateResult.NoResult();
        }

        presented = true;
        try
        {
            var signIn = await signIns.CheckAsync(token, Context.RequestAborted);
            if (!signIn.IsValid)
            {
                refusal = signIn.Refusal;
                return AuthenticateResult.Fail(signIn.Refusal!);
            }

            return AuthenticateResult.Success(new AuthenticationTicket(signIn.Principal(), SchemeName));
        }
        catch (Exception error) when (error is ServiceRefusedException or ServiceUnavailableException or ServiceNotConfiguredException)
        {
            unavailable = error;
            return AuthenticateResult.Fail("Twilio could not validate the Flex token.");
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (unavailable is not null)
        {
            await FlexSignInProblems.WriteFailureAsync(Context, problems, unavailable);
            return;
        }

        Response.Headers.WWWAuthenticate = presented ? "Bearer error=\"invalid_token\"" : "Bearer";
        await FlexSignInProblems.WriteAsync(Context, problems, StatusCodes.Status401Unauthorized, "Flex sign-in refused",
            refusal ?? "Sign in with the agent's Flex token (Authorization: Bearer <manager.user.token>), or send an agent key (one of API_KEYS or VOICE_AGENT_KEYS).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        FlexSignInProblems.WriteAsync(Context, problems, StatusCodes.Status403Forbidden, "No agent role",
            "This Flex user has no agent, supervisor or admin role, so the agents' tools are closed to it: ask a Flex admin for the agent role.");
}

/// <summary>The problems a Flex sign-in answers with, for the scheme and for the seed's <c>/stream</c>.</summary>
public static class FlexSignInProblems
{
    public static Task WriteAsync(HttpContext context, IProblemDetailsService problems, int status, string title, string detail, int? retryAfter = null)
    {
        context.Response.StatusCode = status;
        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    /// <summary>Twilio unable to validate: not configured (503), our credentials refused (502), failing or unreachable (503, Retry-After).</summary>
    public static Task WriteFailureAsync(HttpContext context, IProblemDetailsService problems, Exception error) => error switch
    {
        ServiceNotConfiguredException => WriteAsync(context, problems, StatusCodes.Status503ServiceUnavailable, "Flex sign-in is not configured",
            "This server validates Flex tokens with its Twilio account: set ACCOUNT_SID and AUTH_TOKEN, and restart it."),
        ServiceRefusedException { IsTransient: false } => WriteAsync(context, problems, StatusCodes.Status502BadGateway, "Twilio refused the server's credentials",
            "Twilio refused this server's credentials when it asked to validate the Flex token: check ACCOUNT_SID and AUTH_TOKEN."),
        _ => WriteAsync(context, problems, StatusCodes.Status503ServiceUnavailable, "Flex sign-in is unavailable",
            "Twilio could not validate the Flex token right now. Try again in a few seconds.", ProblemMapping.RetryAfterSeconds),
    };
}
