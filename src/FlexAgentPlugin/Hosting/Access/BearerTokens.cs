using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using FlexAgentPlugin.Hosting.OAuth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ModelContextProtocol.AspNetCore.Authentication;
using OpenIddict.Abstractions;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// Sign-in tokens as the doors accept them, with ASP.NET Core's JWT bearer handler: a token for <c>{base}/mcp</c> opens the
/// MCP endpoint, one for <c>{base}/</c> the GPT Action API. Each is checked for issuer, signature, lifetime (on the
/// server's clock) and audience; a token of the built-in server must also still be valid in the store (revoked: refused
/// at once). A request whose bearer is not a JWT goes to the API-key scheme instead, so static keys keep working.
/// </summary>
public static class BearerTokens
{
    public const string McpAccess = "McpAccess";
    public const string ApiAccess = "ApiAccess";
    public const string McpBearer = "McpBearer";
    public const string ApiBearer = "ApiBearer";

    /// <summary>When sign-in is on (<see cref="OAuthSetup.AddOAuth"/> settled it), the doors' schemes and policies for its tokens.</summary>
    public static IServiceCollection AddBearerTokens(this IServiceCollection services, SignInSettings settings, IConfiguration configuration) =>
        settings.IsOn ? services.AddBearerTokens(settings, configuration.Get<OAuthOptions>() ?? new OAuthOptions()) : services;

    private static IServiceCollection AddBearerTokens(this IServiceCollection services, SignInSettings settings, OAuthOptions options)
    {
        var external = settings.Kind == SignInKind.External;
        var audience = external && !string.IsNullOrWhiteSpace(options.Audience) ? options.Audience.Trim() : null;
        services.AddAuthentication()
            .AddPolicyScheme(McpAccess, null, policy =>
            {
                policy.ForwardDefaultSelector = context => IsJwt(context.Request) ? McpBearer : ApiKeyAuthenticationHandler.SchemeName;
                policy.ForwardChallenge = policy.ForwardForbid = McpAuthenticationDefaults.AuthenticationScheme;
            })
            .AddPolicyScheme(ApiAccess, null, policy =>
                policy.ForwardDefaultSelector = context => IsJwt(context.Request) ? ApiBearer : ApiKeyAuthenticationHandler.SchemeName)
            .AddJwtBearer(McpBearer, bearer => Configure(bearer, settings, audience ?? settings.McpResource))
            .AddJwtBearer(ApiBearer, bearer => Configure(bearer, settings, audience ?? settings.ApiResource))
            .AddScheme<McpAuthenticationOptions, McpChallengeHandler>(McpAuthenticationDefaults.AuthenticationScheme, null, mcp =>
            {
                mcp.ForwardAuthenticate = null;
                mcp.Events.OnResourceMetadataRequest = McpChallengeHandler.PublishAsync;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Mcp, policy => policy
                .AddAuthenticationSchemes(McpAccess)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => IsApiKey(context.User) || HasScope(context.User, settings.Scope)))
            .AddPolicy(AccessPolicies.ApiOrToken, policy => policy
                .AddAuthenticationSchemes(ApiAccess)
                .RequireAssertion(context => context.User.Identity?.IsAuthenticated == true
                    ? IsApiKey(context.User) || HasScope(context.User, settings.Scope)
                    : context.Resource is HttpContext http && !IsJwt(http.Request)
                        && !http.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.RequiresKey));
        foreach (var scheme in new[] { McpBearer, ApiBearer })
        {
            // Lifetimes are judged on the server's clock (the one tests move), with the usual five minutes of leeway.
            services.AddOptions<JwtBearerOptions>(scheme).Configure<TimeProvider>((bearer, clock) =>
                bearer.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
                {
                    var now = clock.GetUtcNow().UtcDateTime;
                    return (notBefore is null || notBefore.Value <= now + parameters.ClockSkew) && expires is { } end && end >= now - parameters.ClockSkew;
                });
            if (settings.IsBuiltIn)
            {
                services.AddOptions<JwtBearerOptions>(scheme).Configure<OAuthKeyRing>((bearer, keys) =>
                    bearer.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, _, _) => [keys.Signing]);
            }
        }

        return services;
    }

    /// <summary>True when the bearer is shaped as a signed JWT (header.payload.signature, the header a JSON object); API keys never are.</summary>
    public static bool IsJwt(HttpRequest request) =>
        Secrets.BearerToken(request) is { } token && token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2;

    private static bool IsApiKey(ClaimsPrincipal user) => user.HasClaim(ApiKeyAuthenticationHandler.KeyKind, ApiKeyAuthenticationHandler.ApiKind);

    /// <summary>True when a sign-in token carries <paramref name="scope"/> (OpenIddict writes <c>scope</c>, Entra ID <c>scp</c>).</summary>
    public static bool HasScope(ClaimsPrincipal user, string scope)
    {
        var granted = user.FindAll("scope").Concat(user.FindAll("scp")).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var shortName = scope[(scope.LastIndexOf('/') + 1)..];
        return granted.Any(s => s == scope || s == shortName);
    }

    private static void Configure(JwtBearerOptions bearer, SignInSettings settings, string audience)
    {
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = audience,
            ValidIssuer = settings.IsBuiltIn ? settings.Issuer : null,
            ValidTypes = settings.IsBuiltIn ? ["at+jwt"] : null,
            NameClaimType = SignedInUser.UsernameClaim,
        };
        if (!settings.IsBuiltIn)
        {
            bearer.Authority = settings.Issuer;
            bearer.RequireHttpsMetadata = new Uri(settings.Issuer).Scheme == Uri.UriSchemeHttps;
        }

        bearer.Events = new JwtBearerEvents { OnTokenValidated = TokenValidatedAsync, OnChallenge = ChallengeAsync };
    }

    /// <summary>A refused token is a problem saying what to do, beside the standard <c>WWW-Authenticate</c> (on /mcp its own challenge answers).</summary>
    private static async Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Invalid sign-in token",
                Detail = "The sign-in token is not valid here: it expired, was revoked, or was issued for another resource. Sign in again, or send an API key.",
            },
        });
    }

    /// <summary>Names the user the token stands for; refuses a built-in token its grant no longer backs, and an external one without the user claim.</summary>
    private static async Task TokenValidatedAsync(TokenValidatedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var settings = services.GetRequiredService<SignInSettings>();
        var principal = context.Principal!;
        string? username;
        if (settings.IsBuiltIn)
        {
            var tokens = services.GetRequiredService<IOpenIddictTokenManager>();
            if (principal.FindFirst("oi_tkn_id")?.Value is not { } id || await tokens.FindByIdAsync(id, context.HttpContext.RequestAborted) is not { } token
                || !await tokens.HasStatusAsync(token, OpenIddictConstants.Statuses.Valid, context.HttpContext.RequestAborted))
            {
                context.Fail("The token was revoked (or its grant was).");
                return;
            }

            username = principal.FindFirst("sub")?.Value;
        }
        else
        {
            var claim = services.GetRequiredService<IOptions<OAuthOptions>>().Value.UserClaim is { Length: > 0 } named ? named.Trim() : "sub";
            var value = principal.FindFirst(claim)?.Value;
            if (string.IsNullOrEmpty(value))
            {
                context.Fail($"The token has no {claim} claim, which names the person (OAUTH_USER_CLAIM).");
                return;
            }

            // External identifiers (auth0|123…) are no usernames, and two issuers must never share one.
            username = "x_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{principal.FindFirst("iss")?.Value}|{value}")))[..32];
        }

        if (username is not { Length: > 0 })
        {
            context.Fail("The token names no person.");
            return;
        }

        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(SignedInUser.UsernameClaim, username));
    }
}
