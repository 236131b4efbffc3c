using System.Net.Http.Headers;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>The MCP SDK's own client, connected to the server under test through its in-memory handler.</summary>
public static class McpConnection
{
    /// <summary>The protocol revision that still has the initialize handshake and sessions.</summary>
    public const string SessionEra = "2025-11-25";

    /// <summary>The revision without sessions: every request stands alone.</summary>
    public const string StatelessEra = "2026-07-28";

    public static Task<McpClient> ConnectAsync(PluginFactory factory, string? key = null, string? protocolVersion = SessionEra) =>
        ConnectAsync(factory.CreateClient(), key, protocolVersion);

    public static async Task<McpClient> ConnectAsync(HttpClient http, string? key = null, string? protocolVersion = SessionEra)
    {
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        }, http, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion });
    }

    /// <summary>The text the model reads from a tool result.</summary>
    public static string Text(this CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>A member of the result's structured content, as a string.</summary>
    public static string? Structured(this CallToolResult result, string name) =>
        result.StructuredContent is { } content && content.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The replies in the result's structured content.</summary>
    public static IReadOnlyList<string> Replies(this CallToolResult result) =>
        [.. result.StructuredContent!.Value.GetProperty("replies").EnumerateArray().Select(r => r.GetString()!)];
}

/// <summary>
/// MCP over plain HTTP, for what the SDK's client does not do on purpose (drop a connection, send a foreign Origin, no
/// key): an initialized 2025-11-25 session and requests in it.
/// </summary>
public sealed record RawMcp(string SessionId)
{
    public const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    /// <summary>A JSON-RPC POST to /mcp with the headers Streamable HTTP requires (and the session, once there is one).</summary>
    public static HttpRequestMessage Post(string json, string? sessionId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", McpConnection.SessionEra);
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
        }

        return request;
    }

    public static async Task<RawMcp> InitializeAsync(HttpClient http)
    {
        using var initialized = await http.SendAsync(Post(Initialize));
        initialized.EnsureSuccessStatusCode();
        var session = new RawMcp(initialized.Headers.GetValues("Mcp-Session-Id").Single());
        using var notified = await http.SendAsync(session.Request("""{"jsonrpc":"2.0","method":"notifications/initialized"}"""));
        notified.EnsureSuccessStatusCode();
        return session;
    }

    public HttpRequestMessage Request(string json) => Post(json, SessionId);
}
