using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FlexAgentPlugin.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace FlexAgentPlugin.Tests;

/// <summary>Who may use the MCP endpoint: named API keys and their identities, rate limits as tool errors, the Origin rule.</summary>
public sealed class McpAccessTests
{
    private const string ClaudeToken = "claude-token-0123456789abcdef";
    private const string CursorToken = "cursor-token-0123456789abcdef";
    private const string SingleToken = "single-token-0123456789abcdef";

    private static readonly Dictionary<string, string?> NamedKeys = new() { ["API_KEYS"] = $"claude={ClaudeToken}, cursor={CursorToken}" };

    private static Dictionary<string, object?> Ask(string message, string? user = null) =>
        user is null ? new() { ["message"] = message } : new() { ["message"] = message, ["user"] = user };

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-0123456789abcdef")]
    [InlineData("Basic Y2xhdWRlOnRva2Vu")]
    public async Task WithKeysConfiguredMcpRefusesACallerWithoutOneOfThem(string? authorization)
    {
        using var factory = new PluginFactory(NamedKeys);
        var http = factory.CreateClient();
        var request = RawMcp.Post(RawMcp.Initialize);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => McpConnection.ConnectAsync(factory, key: "not-a-key-0123456789abcdef"));
    }

    [Fact]
    public async Task EachNamedKeyIsItsOwnUserWhenTheCallNamesNone()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>(NamedKeys) { ["PLUGIN_BEARER_TOKEN"] = SingleToken });
        factory.Twilio.AutoReply = true;
        await using var claude = await McpConnection.ConnectAsync(factory, ClaudeToken);
        await using var cursor = await McpConnection.ConnectAsync(factory, CursorToken);
        await using var single = await McpConnection.ConnectAsync(factory, SingleToken);

        var fromClaude = await claude.CallToolAsync("ask_human_agent", Ask("From Claude"));
        var fromCursor = await cursor.CallToolAsync("ask_human_agent", Ask("From Cursor"));
        var fromSingle = await single.CallToolAsync("ask_human_agent", Ask("From the single key"));
        var named = await cursor.CallToolAsync("ask_human_agent", Ask("For someone else", user: "customer-0123456789"));

        Assert.Equal(["claude", "cursor", "default", "customer-0123456789"], new[] { fromClaude, fromCursor, fromSingle, named }.Select(r => r.Structured("user")));
        Assert.Equal(4, factory.Twilio.Conversations.Count);
        Assert.Equal(["claude", "cursor", "customer-0123456789", "default"], factory.Twilio.Conversations.SelectMany(c => c.Participants).Where(EmulatedTwilio.IsCustomer).Order());
    }

    [Fact]
    public async Task AKeysIdentityAndTheSameNameOnSendShareOneConversation()
    {
        using var factory = new PluginFactory(NamedKeys);
        factory.Twilio.AutoReply = true;
        await using var claude = await McpConnection.ConnectAsync(factory, ClaudeToken);
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClaudeToken);

        await claude.CallToolAsync("ask_human_agent", Ask("Via MCP"));
        var send = await PluginFactory.SendAsync(http, "claude", "Via /send");

        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        Assert.Equal(["Via MCP", "Via /send"], Assert.Single(factory.Twilio.Conversations).Messages.Where(m => m.Author == "claude").Select(m => m.Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://plugin.example.com")]
    public async Task QueryTokenNoLongerOpensMcp(string? publicUrl)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>(NamedKeys) { ["PUBLIC_BASE_URL"] = publicUrl });
        var http = factory.CreateClient();
        var request = RawMcp.Post(RawMcp.Initialize);
        request.RequestUri = new Uri($"/mcp?token={ClaudeToken}", UriKind.Relative);

        var mcp = await http.SendAsync(request);
        var send = await http.PostAsJsonAsync($"/send/alice?token={ClaudeToken}", new { msg = "Hi" });

        Assert.Equal(HttpStatusCode.Unauthorized, mcp.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, send.StatusCode);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Text.Contains(ClaudeToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASessionOpenedWithOneKeyCannotBeUsedWithAnother()
    {
        using var factory = new PluginFactory(NamedKeys);
        var claudeHttp = factory.CreateClient();
        claudeHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClaudeToken);
        var session = await RawMcp.InitializeAsync(claudeHttp);
        var cursorHttp = factory.CreateClient();
        cursorHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CursorToken);

        var hijack = await cursorHttp.SendAsync(session.Request("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}"""));

        Assert.Equal(HttpStatusCode.Forbidden, hijack.StatusCode);
    }

    [Fact]
    public async Task ThePerUserLimitIsAToolErrorSayingWhenToRetry()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["RATE_LIMIT_PER_USER"] = "1" });
        factory.Twilio.AutoReply = true;
        await using var client = await McpConnection.ConnectAsync(factory);

        var first = await client.CallToolAsync("ask_human_agent", Ask("One", user: "busy-user-0123456789"));
        var second = await client.CallToolAsync("ask_human_agent", Ask("Two", user: "busy-user-0123456789"));
        var otherUser = await client.CallToolAsync("ask_human_agent", Ask("Three", user: "calm-user-0123456789"));

        Assert.NotEqual(true, first.IsError);
        Assert.True(second.IsError);
        Assert.Matches(@"^Too many calls for this username\. Try again in \d+ seconds\.$", second.Text());
        Assert.NotEqual(true, otherUser.IsError);
        Assert.Equal(2, factory.Twilio.Count("POST", "/v1/Conversations/[^/]+/Messages"));
    }

    [Fact]
    public async Task ThePerCallerLimitCountsToolCallsPerKeyAndIsAToolError()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>(NamedKeys) { ["RATE_LIMIT_PER_ADDRESS"] = "2" });
        factory.Twilio.AutoReply = true;
        await using var claude = await McpConnection.ConnectAsync(factory, ClaudeToken);
        await using var cursor = await McpConnection.ConnectAsync(factory, CursorToken);

        var calls = new List<bool?>();
        foreach (var user in new[] { "u1-0123456789", "u2-0123456789", "u3-0123456789" })
        {
            calls.Add((await claude.CallToolAsync("ask_human_agent", Ask("Hi", user))).IsError);
        }

        var limited = await claude.CallToolAsync("get_agent_replies", new Dictionary<string, object?> { ["user"] = "u1-0123456789" });
        var otherKey = await cursor.CallToolAsync("ask_human_agent", Ask("Hi"));

        Assert.Equal([null, null, true], calls);
        Assert.Matches(@"^Too many calls for this caller or address\. Try again in \d+ seconds\.$", limited.Text());
        Assert.NotEqual(true, otherKey.IsError);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://192.168.1.20:8080")]
    [InlineData("null")]
    public async Task APageFromAnotherOriginIsRefused(string origin)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["MCP_ALLOWED_ORIGINS"] = "https://app.example.com" });
        var request = RawMcp.Post(RawMcp.Initialize);
        request.Headers.Add("Origin", origin);

        var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Origin not allowed", problem.GetProperty("title").GetString());
        Assert.Contains("MCP_ALLOWED_ORIGINS", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:6274")]
    [InlineData("http://127.0.0.1:5173")]
    [InlineData("https://app.example.com")]
    [InlineData("https://plugin.example.com")]
    public async Task ThisMachinesPagesTheListedOriginsAndThePublicUrlAreServed(string origin)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>(NamedKeys)
        {
            ["MCP_ALLOWED_ORIGINS"] = "https://app.example.com",
            ["PUBLIC_BASE_URL"] = "https://plugin.example.com",
        });
        var request = RawMcp.Post(RawMcp.Initialize);
        request.Headers.Add("Origin", origin);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClaudeToken);

        var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheMcpReplyTimeoutBoundsTheWait()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["MCP_REPLY_TIMEOUT_SECONDS"] = "5" });
        await using var client = await McpConnection.ConnectAsync(factory);
        var start = factory.Clock.GetUtcNow();

        var result = await factory.Clock.RunUntilDoneAsync(client.CallToolAsync("ask_human_agent", Ask("Hi", "quick-0123456789")).AsTask());

        Assert.Equal("pending", result.Structured("status"));
        Assert.Equal(TimeSpan.FromSeconds(5), factory.Clock.GetUtcNow() - start);
    }

    [Theory]
    [InlineData("API_KEYS", "claude", "API_KEYS entry 1 is not name=token")]
    [InlineData("API_KEYS", "claude=short", "API_KEYS key 'claude' has a token under 16 characters")]
    [InlineData("API_KEYS", "bad name=" + ClaudeToken, "API_KEYS entry 1 has the name 'bad name'")]
    [InlineData("API_KEYS", "claude=" + ClaudeToken + ",claude=" + CursorToken, "API_KEYS names the key 'claude' twice")]
    [InlineData("API_KEYS", "claude=" + ClaudeToken + ",cursor=" + ClaudeToken, "API_KEYS key 'cursor' has the same token as the key 'claude'")]
    [InlineData("MCP_REPLY_TIMEOUT_SECONDS", "0", "MCP_REPLY_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 600")]
    [InlineData("MCP_ALLOWED_ORIGINS", "app.example.com", "MCP_ALLOWED_ORIGINS must be comma-separated origins")]
    public void AMistakeInTheMcpSettingsStopsTheStartInOneSentence(string variable, string value, string sentence)
    {
        var failures = ConfigurationTests.StartFailures(new Dictionary<string, string?> { [variable] = value });

        var failure = Assert.Single(failures, f => f.Contains(variable, StringComparison.Ordinal));
        Assert.StartsWith(sentence, failure, StringComparison.Ordinal);
        Assert.DoesNotContain(ClaudeToken, failure, StringComparison.Ordinal);
    }
}
