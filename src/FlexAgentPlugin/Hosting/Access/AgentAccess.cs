using FlexAgentPlugin.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>The browser origins Flex UI runs on, which may call the agents' endpoints.</summary>
public sealed class FlexUiOptions
{
    public const string DefaultOrigins = "https://flex.twilio.com";

    /// <summary>Origins (scheme, host and port), comma-separated.</summary>
    [ConfigurationKeyName("FLEX_UI_ORIGINS")]
    public string Origins { get; set; } = DefaultOrigins;

    public IReadOnlyList<string> OriginList =>
        [.. Origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(origin => origin.TrimEnd('/'))];

    /// <summary>True for <c>http(s)://host[:port]</c> with no path, query or user.</summary>
    public static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
        && !origin.Contains('*', StringComparison.Ordinal);
}

/// <summary>
/// The agents' endpoints (voice assist, the Flex plugin's calls, the seed plugin's functions): who may call them (the
/// agent's Flex token, <see cref="FlexTokenAuthenticationHandler"/>, or an API_KEYS / VOICE_AGENT_KEYS key), from which
/// browser origins (<see cref="CorsPolicy"/>: Flex UI's, and no others there), and how often (the per-caller limit,
/// counted per agent).
/// </summary>
public static class AgentAccess
{
    /// <summary>The CORS policy of the agents' endpoints: FLEX_UI_ORIGINS.</summary>
    public const string CorsPolicy = "FlexUi";

    /// <summary>The Flex token scheme, the agents' scheme that picks it or the API keys, the kept sign-ins, and the CORS policy.</summary>
    public static AuthenticationBuilder AddFlexSignIn(this AuthenticationBuilder authentication)
    {
        var services = authentication.Services;
        services.AddOptions<FlexUiOptions>()
            .BindEnvironment()
            .Validate(o => o.OriginList.Count > 0 && o.OriginList.All(FlexUiOptions.IsOrigin),
                "FLEX_UI_ORIGINS must be browser origins separated by commas, such as https://flex.twilio.com (scheme and host, with a port if any; no path and no *).")
            .ValidateOnStart();
        services.AddSingleton<FlexSignIns>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<FlexUiOptions>>((cors, flexUi) =>
            cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins([.. flexUi.Value.OriginList])
                .WithHeaders("Authorization", "Content-Type", "Last-Event-ID")
                .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete)
                .WithExposedHeaders("Retry-After", "WWW-Authenticate")));
        return authentication
            .AddScheme<AuthenticationSchemeOptions, FlexTokenAuthenticationHandler>(FlexTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(FlexTokenAuthenticationHandler.AgentSchemeName, "The agent's Flex token or an agent key", scheme =>
                scheme.ForwardDefaultSelector = context => Secrets.BearerToken(context.Request) is { Length: > 0 } token && !FlexTokenAuthenticationHandler.IsJwe(token)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : FlexTokenAuthenticationHandler.SchemeName);
    }

    /// <summary>The agents' access for a group of endpoints: sign-in, Flex UI's origins, the per-caller limit.</summary>
    public static TBuilder RequireAgentAccess<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointConventionBuilder =>
        endpoints
            .RequireAuthorization(AccessPolicies.Agent)
            .WithMetadata(new AgentKeyRequired())
            .RequireCors(CorsPolicy)
            .RequireRateLimiting(AccessPolicies.PerCaller);
}
