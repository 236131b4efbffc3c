using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// What a sign-in token opens, and for how long: its lifetime on the server's clock, refresh with rotation, revocation,
/// its resource (audience), its person (never anyone else), and API keys beside it.
/// </summary>
public sealed class SignInTokenTests : IDisposable
{
    private const string GptSecret = "gpt-secret-0123456789abcdef";
    private const string GptRedirect = "https://chat.openai.com/aip/g-abc/oauth/callback";
    private const string ScriptKey = "script-key-0123456789abcdef";

    private readonly PluginFactory factory = new(SignInFlow.Settings(new Dictionary<string, string?>
    {
        ["OAUTH_CLIENTS"] = $"my-gpt|{GptSecret}|{GptRedirect}|api|Support GPT",
    }));

    private readonly SignInFlow flow;

    public SignInTokenTests() => flow = new SignInFlow(factory);

    public void Dispose()
    {
        flow.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task ExpiredTokenIsRefused()
    {
        var (_, tokens) = await flow.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(tokens.AccessToken));

        // 15 minutes of life, and the usual 5 minutes of leeway.
        factory.Clock.Advance(TimeSpan.FromMinutes(21));

        Assert.Equal(HttpStatusCode.Unauthorized, await McpStatusAsync(tokens.AccessToken));
    }

    [Fact]
    public async Task RefreshRotatesAndTheOldTokenStopsAfterTheLeeway()
    {
        var (clientId, tokens) = await flow.SignInAsync();

        var refreshed = await flow.RefreshAsync(clientId, tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.NotEqual(tokens.RefreshToken, refreshed.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(refreshed.AccessToken));

        // Within 30 seconds the old refresh token still works (two requests of one client may race); after that, its
        // reuse means it leaked: it is refused, and the whole grant ends.
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        var reused = await flow.RefreshAsync(clientId, tokens.RefreshToken);

        Assert.Equal("invalid_grant", reused.Error);
        Assert.Equal("invalid_grant", (await flow.RefreshAsync(clientId, refreshed.RefreshToken)).Error);
    }

    [Fact]
    public async Task RevokedRefreshTokenStopsItsAccessTokens()
    {
        var (clientId, tokens) = await flow.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(tokens.AccessToken));

        Assert.Equal(HttpStatusCode.OK, await flow.RevokeAsync(clientId, tokens.RefreshToken));

        Assert.Equal(HttpStatusCode.Unauthorized, await McpStatusAsync(tokens.AccessToken));
        Assert.Equal("invalid_grant", (await flow.RefreshAsync(clientId, tokens.RefreshToken)).Error);
    }

    [Fact]
    public async Task TokenForAnotherResourceIsRefused()
    {
        var gptToken = await GptSignInAsync();
        var (_, mcpTokens) = await flow.SignInAsync(contact: "+15551230002");

        Assert.Equal(HttpStatusCode.Unauthorized, await McpStatusAsync(gptToken));
        using var send = await flow.McpHttp(mcpTokens.AccessToken).PostAsJsonAsync("/send/alice", new { msg = "Hi" });
        Assert.Equal(HttpStatusCode.Unauthorized, send.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", send.Headers.WwwAuthenticate.ToString());
        Assert.Contains("issued for another resource", await send.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGptActionSignsItsPersonInWithItsSecretAndSendsAsThem()
    {
        factory.Twilio.AutoReply = true;
        var token = await GptSignInAsync();

        using var send = await factory.Clock.RunUntilDoneAsync(flow.McpHttp(token).PostAsJsonAsync("/send/whoever-0123456789", new { msg = "Hi from the GPT" }));

        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        var author = Assert.Single(Assert.Single(factory.Twilio.Conversations).Messages, m => m.Body == "Hi from the GPT").Author;
        Assert.Matches("^u_[0-9a-f]{32}$", author);
        Assert.DoesNotContain(factory.Twilio.Conversations, c => c.Participants.Contains("whoever-0123456789"));
    }

    [Fact]
    public async Task AConfiguredClientWithAWrongSecretGetsNoToken()
    {
        var back = await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery("my-gpt", pkce: null, redirect: GptRedirect, resource: null), "+15551230003");

        var answer = await flow.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code", ["code"] = SignInFlow.Code(back), ["redirect_uri"] = GptRedirect,
            ["client_id"] = "my-gpt", ["client_secret"] = "not-the-secret-0123456789",
        });

        Assert.Equal("invalid_client", answer.Error);
    }

    [Fact]
    public async Task TokenUserCannotReadAnotherUsersReplies()
    {
        // Bob writes through the open API and the agent answers him.
        var bobs = factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(factory.CreateClient(), "bob-0123456789abcd", "Bob's question"));
        await factory.Twilio.WaitUntilAsync(() => factory.Twilio.Conversations.Count == 1);
        factory.Twilio.AgentSays(Assert.Single(factory.Twilio.Conversations).Sid, "Bob's private answer");
        (await bobs).Dispose();
        var gptToken = await GptSignInAsync();
        var (_, tokens) = await flow.SignInAsync();

        // Signed-in people name Bob through each door: each answers for its person, who has no conversation.
        using var replies = await flow.McpHttp(gptToken).GetAsync("/replies/bob-0123456789abcd");
        await using var mcp = await McpConnection.ConnectAsync(flow.McpHttp(tokens.AccessToken));
        var tool = await mcp.CallToolAsync("get_agent_replies", new Dictionary<string, object?> { ["user"] = "bob-0123456789abcd" });

        Assert.Equal(HttpStatusCode.NotFound, replies.StatusCode);
        Assert.True(tool.IsError);
        Assert.DoesNotContain("Bob's private answer", await replies.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Bob's private answer", tool.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnMcpSessionOpenedByOnePersonCannotBeUsedByAnother()
    {
        var (_, ana) = await flow.SignInAsync("+15551230001");
        var (_, bob) = await flow.SignInAsync("+15551230002");
        var session = await RawMcp.InitializeAsync(flow.McpHttp(ana.AccessToken));

        using var hijack = await flow.McpHttp(bob.AccessToken).SendAsync(session.Request("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}"""));

        Assert.Equal(HttpStatusCode.Forbidden, hijack.StatusCode);
    }

    [Fact]
    public async Task StaticKeyStillOpensMcp()
    {
        using var keyed = new PluginFactory(SignInFlow.Settings(new Dictionary<string, string?> { ["API_KEYS"] = $"scripts={ScriptKey}" }));
        keyed.Twilio.AutoReply = true;
        await using var mcp = await McpConnection.ConnectAsync(keyed, ScriptKey);

        var result = await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "From a script" });

        Assert.Equal("scripts", result.Structured("user"));
        using var wrong = await keyed.CreateClient().SendAsync(WithBearer(RawMcp.Post(RawMcp.Initialize), "wrong-key-0123456789abcdef"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("error=\"invalid_token\"", wrong.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The GPT Action's way in: a confidential client, no PKCE, its secret in the token request; the access token.</summary>
    private async Task<string> GptSignInAsync()
    {
        var back = await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery("my-gpt", pkce: null, redirect: GptRedirect, resource: null), "+15551230009");
        var answer = await flow.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code", ["code"] = SignInFlow.Code(back), ["redirect_uri"] = GptRedirect,
            ["client_id"] = "my-gpt", ["client_secret"] = GptSecret,
        });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("http://localhost/", JwtAudience(answer.AccessToken));
        return answer.AccessToken;
    }

    private async Task<HttpStatusCode> McpStatusAsync(string accessToken)
    {
        using var response = await factory.CreateClient().SendAsync(WithBearer(RawMcp.Post(RawMcp.Initialize), accessToken));
        return response.StatusCode;
    }

    private static HttpRequestMessage WithBearer(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string? JwtAudience(string jwt) =>
        (string?)JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1]))!["aud"];
}
