using FlexAgentPlugin.Core.Callbacks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>
/// The Origin rule the MCP specification asks of a server a browser can reach (against DNS rebinding): a request that
/// carries an Origin is served only when it comes from this machine (a loopback origin, e.g. the MCP Inspector), from
/// the configured public URL, or from an origin listed in MCP_ALLOWED_ORIGINS; otherwise 403. Requests without an
/// Origin (MCP clients that are not web pages) are not affected.
/// </summary>
public sealed class McpOrigins
{
    private readonly HashSet<string> allowed = new(StringComparer.OrdinalIgnoreCase);

    public McpOrigins(IOptions<McpOptions> options, IOptions<PublicUrlOptions> publicUrl)
    {
        foreach (var origin in Listed(options.Value.AllowedOrigins))
        {
            allowed.Add(Normalize(origin)!);
        }

        if (Normalize(publicUrl.Value.ConfiguredBaseUrl) is { } own)
        {
            allowed.Add(own);
        }
    }

    /// <summary>The entries of MCP_ALLOWED_ORIGINS.</summary>
    public static IEnumerable<string> Listed(string? setting) =>
        (setting ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary><c>scheme://host[:port]</c> of an http(s) origin (default ports dropped), or null when it is not one.</summary>
    public static string? Normalize(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath is "/" or "" && uri.Query.Length == 0
            && uri.UserInfo.Length == 0
            ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)
            : null;

    public bool Allows(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && (uri.IsLoopback || allowed.Contains(Normalize(origin) ?? ""));

    /// <summary>The 403 for a page of another origin.</summary>
    public static Task RefuseAsync(HttpContext context, string origin)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Origin not allowed",
                Detail = $"Web pages from {Printable(origin)} may not call the MCP endpoint. If that page is yours, add its origin to MCP_ALLOWED_ORIGINS.",
            },
        }).AsTask();
    }

    private static string Printable(string origin) => new([.. origin.Take(100).Select(c => char.IsControl(c) ? '?' : c)]);
}
