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

    /// <summary>The claim that says which kind of key authenticated the caller: <see cref="ApiKind"/> or <see cref="AgentKind"/>.</summary>
    public const string KeyKind = "key_kind";
    public const string ApiKind = "api";
    public const string AgentKind = "agent";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Secrets.BearerToken(Request);
        if ((!access.Value.RequiresKey && access.Value.AgentKeys.Count == 0) || token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Every key is compared, so the time taken says nothing about which key (if any) matched.
        (ApiKey Key, string Kind)? match = null;
        foreach (var (key, kind) in access.Value.Keys.Select(k => (k, ApiKind)).Concat(access.Value.AgentKeys.Select(k => (k, AgentKind))))
        {
            if (Secrets.Same(token, key.Token))
            {
                match = (key, kind);
            }
        }

        return Task.FromResult(match is not { } found
            ? AuthenticateResult.Fail("The bearer token is not one of the configured keys.")
            : AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, found.Key.Name), new Claim(ClaimTypes.NameIdentifier, found.Key.Name), new Claim(KeyKind, found.Kind)],
                SchemeName)), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await RefuseAsync(StatusCodes.Status401Unauthorized, "Missing or wrong bearer token",
            Context.GetEndpoint()?.Metadata.GetMetadata<AgentKeyRequired>() is not null
                ? "Sign in with the agent's Flex token, or send an agent key (one of API_KEYS or VOICE_AGENT_KEYS), as the header Authorization: Bearer <token>."
                : "Send the API key as the header Authorization: Bearer <token> (in a GPT Action: Authentication, API key, Bearer).");
    }

    /// <summary>A valid key of the wrong kind: a VOICE_AGENT_KEYS key opens only the agents' voice tools, not the API.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        RefuseAsync(StatusCodes.Status403Forbidden, "This key does not open the API",
            "This is a VOICE_AGENT_KEYS key, for the agents' voice assist only: send one of API_KEYS (or PLUGIN_BEARER_TOKEN) to call the API.");

    private async Task RefuseAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>Endpoint metadata: the endpoint is an agent's tool (an API key or a VOICE_AGENT_KEYS key, always required).</summary>
public sealed class AgentKeyRequired;
