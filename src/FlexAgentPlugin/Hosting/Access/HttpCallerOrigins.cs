using FlexAgentPlugin.Core.Conversations;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>The name an MCP client gave in its <c>initialize</c>, set on the request by the MCP door.</summary>
public sealed record McpClientFeature(string Name);

/// <summary>
/// The caller's origin as the current request shows it: the API key's name when an API key authenticated it (a person
/// who signed in has none), and the MCP client's name when the MCP door set it (<see cref="McpClientFeature"/>).
/// </summary>
public sealed class HttpCallerOrigins(IHttpContextAccessor accessor) : ICallerOrigins
{
    public CallerOrigin Current
    {
        get
        {
            if (accessor.HttpContext is not { } context)
            {
                return CallerOrigin.Unknown;
            }

            var keyName = context.User.HasClaim(claim => claim.Type == ApiKeyAuthenticationHandler.KeyKind) ? context.User.Identity?.Name : null;
            return new CallerOrigin(context.Features.Get<McpClientFeature>()?.Name, keyName);
        }
    }
}
