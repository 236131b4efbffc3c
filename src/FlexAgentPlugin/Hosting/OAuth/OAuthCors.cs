namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// Cross-origin access to the sign-in's machine endpoints (metadata, keys, registration, token, revocation), for MCP
/// clients that run in a browser page (the MCP Inspector's OAuth flow): any origin, no cookies. The pages a person sees
/// get no such access.
/// </summary>
public static class OAuthCors
{
    public const string Policy = "OAuth";

    public static IServiceCollection AddOAuthCors(this IServiceCollection services) =>
        services.AddCors(cors => cors.AddPolicy(Policy, policy => policy.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("WWW-Authenticate")));

    /// <summary>Applies the policy to those endpoints, ahead of the server's other CORS policy.</summary>
    public static IApplicationBuilder UseOAuthCors(this IApplicationBuilder app) =>
        app.UseWhen(context => IsMachineEndpoint(context.Request.Path), branch => branch.UseCors(Policy));

    private static bool IsMachineEndpoint(PathString path) =>
        path.StartsWithSegments("/.well-known/oauth-protected-resource") || path.StartsWithSegments("/.well-known/oauth-authorization-server")
        || path.StartsWithSegments("/.well-known/openid-configuration") || path.StartsWithSegments(AuthorizationServer.JwksPath)
        || path.StartsWithSegments(AuthorizationServer.TokenPath) || path.StartsWithSegments(AuthorizationServer.RegisterPath)
        || path.StartsWithSegments(AuthorizationServer.RevokePath);
}
