using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using FlexAgentPlugin.Hosting.OAuth;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Authentication;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// The MCP SDK's authentication handler for <c>/mcp</c>: it serves the protected resource metadata (RFC 9728, at
/// <c>/.well-known/oauth-protected-resource</c> and its <c>/mcp</c> form, both naming <c>{base}/mcp</c> and the
/// authorization server). Its challenge is written here from the public base URL (the SDK would take the request's host,
/// wrong behind a proxy), with the scope to ask for and <c>error="invalid_token"</c> when a token was sent; a token
/// without the scope is refused with 403 <c>insufficient_scope</c> (RFC 6750).
/// </summary>
public sealed class McpChallengeHandler(
    IOptionsMonitor<McpAuthenticationOptions> options, ILoggerFactory loggers, UrlEncoder encoder, SignInSettings settings, IProblemDetailsService problems)
    : McpAuthenticationHandler(options, loggers, encoder)
{
    /// <summary>The metadata for the root document and the <c>/mcp</c> one; any other path is not a resource here (404).</summary>
    public static Task PublishAsync(ResourceMetadataRequestContext context)
    {
        var settings = context.HttpContext.RequestServices.GetRequiredService<SignInSettings>();
        var suffix = context.Request.Path.Value!["/.well-known/oauth-protected-resource".Length..].TrimEnd('/');
        if (suffix is not ("" or "/mcp"))
        {
            context.SkipHandler();
            return Task.CompletedTask;
        }

        context.ResourceMetadata = new ProtectedResourceMetadata
        {
            Resource = settings.McpResource,
            AuthorizationServers = [settings.Issuer],
            ScopesSupported = [settings.Scope],
            BearerMethodsSupported = ["header"],
            ResourceName = "Human agent in Twilio Flex",
        };
        return Task.CompletedTask;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var sent = Request.Headers.Authorization.Count > 0;
        Response.Headers.WWWAuthenticate = $"Bearer resource_metadata=\"{settings.ResourceMetadataUrl}\"{(sent ? ", error=\"invalid_token\"" : "")}, scope=\"{settings.Scope}\"";
        return RefuseAsync(StatusCodes.Status401Unauthorized, sent ? "Invalid token or key" : "Sign-in required",
            (sent ? "The bearer token is not a valid sign-in token for this server's /mcp, nor an API key. " : "")
            + "Connect with an MCP client that signs in (it finds how from this answer's WWW-Authenticate header), "
            + "or send an API key as the header Authorization: Bearer <key>.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{settings.Scope}\", resource_metadata=\"{settings.ResourceMetadataUrl}\"";
        return RefuseAsync(StatusCodes.Status403Forbidden, "Insufficient scope",
            $"This token or key does not open the MCP endpoint: sign in again asking for the scope {settings.Scope}, or send one of API_KEYS.");
    }

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
