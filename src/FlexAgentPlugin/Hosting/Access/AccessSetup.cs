using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Limits;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Hosting.OAuth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>The names doors use to ask for access rules.</summary>
public static class AccessPolicies
{
    /// <summary>The API's key (applied only when keys are configured: see <see cref="AccessSetup.RequireApiAccess"/>).</summary>
    public const string Api = "api";

    /// <summary>Requests Twilio signed.</summary>
    public const string TwilioSigned = "twilio-signed";

    /// <summary>An agent's tool (voice assist): the agent's Flex token with an agent role, an API key or a VOICE_AGENT_KEYS key, always required.</summary>
    public const string Agent = "agent";

    /// <summary>The rate limit per caller: the Flex agent, the key's name when one was presented, else the client address.</summary>
    public const string PerCaller = "per-caller";

    /// <summary>With sign-in on, /mcp: a sign-in token for it (with the scope) or an API key, always required.</summary>
    public const string Mcp = "mcp";

    /// <summary>With sign-in on, the API: a sign-in token for it or an API key; nothing when no key is configured.</summary>
    public const string ApiOrToken = "api-or-token";
}

/// <summary>
/// Who may call what, with the framework's own mechanisms: authentication schemes for the API key and Twilio's
/// signature, authorization policies over them, and a named rate-limiter policy per caller (429 with Retry-After).
/// A proxy on this machine (ngrok's agent, a sidecar), or one FORWARDED_HEADERS_KNOWN_NETWORKS or _PROXIES names
/// (<see cref="TrustedProxies"/>), may name the client address with X-Forwarded-For.
/// </summary>
public static class AccessSetup
{
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>()
            .BindEnvironment()
            .Validate(o => o.PerAddressPerMinute is >= 1 and <= 1_000_000, "RATE_LIMIT_PER_ADDRESS must be a whole number of calls per minute, 1 or more.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, KeysValidation>();
        services.AddSingleton<CallerLimits>();
        services.AddHttpContextAccessor();
        services.AddSingleton<ICallerOrigins, HttpCallerOrigins>();

        services.AddTrustedProxies();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, TwilioSignatureAuthenticationHandler>(TwilioSignatureAuthenticationHandler.SchemeName, null)
            .AddFlexSignIn();
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Api, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(ApiKeyAuthenticationHandler.KeyKind, ApiKeyAuthenticationHandler.ApiKind))
            .AddPolicy(AccessPolicies.Agent, policy => policy
                .AddAuthenticationSchemes(FlexTokenAuthenticationHandler.AgentSchemeName)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => FlexTokenAuthenticationHandler.MayAssist(context.User)))
            .AddPolicy(AccessPolicies.TwilioSigned, policy => policy
                .AddAuthenticationSchemes(TwilioSignatureAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(AccessPolicies.PerCaller, context =>
            {
                var permits = context.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.PerAddressPerMinute;
                var windows = context.RequestServices.GetRequiredService<IRateWindows>();
                return windows.IsShared
                    ? RateLimitPartition.Get(Caller(context), key => new SharedWindowLimiter(windows, key, permits))
                    : RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = permits,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    });
            });
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>
    /// The API's access rule for a group of endpoints: a key when keys are configured; otherwise the API is open and
    /// requests skip authorization altogether (an open API's waiting requests then hold nothing of it).
    /// </summary>
    public static RouteGroupBuilder RequireApiAccess(this RouteGroupBuilder group, IServiceProvider services) =>
        services.GetService<SignInSettings>() is { IsOn: true } ? group.RequireAuthorization(AccessPolicies.ApiOrToken)
        : services.GetRequiredService<IOptions<AccessOptions>>().Value.RequiresKey ? group.RequireAuthorization(AccessPolicies.Api)
        : group;

    /// <summary>The MCP endpoint's access rule: with sign-in on, a token or a key, always; otherwise the API's rule.</summary>
    public static RouteGroupBuilder RequireMcpAccess(this RouteGroupBuilder group, IServiceProvider services) =>
        services.GetService<SignInSettings>() is { IsOn: true } ? group.RequireAuthorization(AccessPolicies.Mcp) : group.RequireApiAccess(services);

    /// <summary>The caller a limit counts for: the Flex agent, or the key's name when the request presented one, else the client address.</summary>
    public static string Caller(HttpContext context) =>
        FlexSignIn.Caller(context.User)
        ?? (context.User.Identity is { IsAuthenticated: true, Name: { } name } ? $"key:{name}" : $"address:{context.Connection.RemoteIpAddress}");

    /// <summary>API_KEYS, PLUGIN_BEARER_TOKEN and VOICE_AGENT_KEYS, each problem in one sentence.</summary>
    private sealed class KeysValidation : IValidateOptions<AccessOptions>
    {
        public ValidateOptionsResult Validate(string? name, AccessOptions options) =>
            ApiKey.Parse(options.ApiKeys, options.BearerToken).Problem is { } problem ? ValidateOptionsResult.Fail(problem)
            : ApiKey.Parse(options.VoiceAgentKeys, null).Problem is { } agentProblem ? ValidateOptionsResult.Fail(agentProblem.Replace("API_KEYS", "VOICE_AGENT_KEYS", StringComparison.Ordinal))
            : ValidateOptionsResult.Success;
    }

    private static ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var limited = new RateLimitedException(retryAfter, "caller or address");
        var http = rejected.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = limited.Message },
        });
    }
}
