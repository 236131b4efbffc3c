using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

public sealed class LogSecrecyTests
{
    private const string ApiKey = "SKfedcba9876543210fedcba9876543210";
    private const string ApiSecret = "api-secret-never-logged-0001";
    private const string BearerToken = "bearer-token-never-logged-0001";

    [Fact]
    public async Task NoCredentialTokenOrAuthorizationValueAppearsInAnyLogLine()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["TWILIO_API_KEY"] = ApiKey,
            ["TWILIO_API_SECRET"] = ApiSecret,
            ["PLUGIN_BEARER_TOKEN"] = BearerToken,
            ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl,
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
        });
        factory.Twilio.User = ApiKey;
        factory.Twilio.Password = ApiSecret;
        factory.Twilio.AutoReply = true;
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BearerToken);

        // A normal exchange, woken by a signed event.
        var send = PluginFactory.SendAsync(client, "alice", "hi");
        await factory.Twilio.WaitUntilAsync(() => factory.Twilio.Conversations.Count == 1);
        await factory.PostEventAsync(client, ("EventType", "onMessageAdded"), ("ConversationSid", factory.Twilio.Conversations.Single().Sid), ("Author", EmulatedTwilio.AgentIdentity));
        Assert.Equal(HttpStatusCode.OK, (await send.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);

        // A forged event, a caller with the wrong token, Twilio refusing the credentials, Twilio failing.
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/twilio/conversation-events") { Content = new FormUrlEncodedContent([new("ConversationSid", "CH1")]) };
        forged.Headers.Add("X-Twilio-Signature", "forged");
        await client.SendAsync(forged);
        using var wrongCaller = factory.CreateClient();
        wrongCaller.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BearerToken + "-guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await PluginFactory.SendAsync(wrongCaller, "bob", "hi")).StatusCode);
        factory.Twilio.Password = "rotated-secret";
        Assert.Equal(HttpStatusCode.BadGateway, (await PluginFactory.SendAsync(client, "carol", "hi")).StatusCode);
        factory.Twilio.Password = ApiSecret;
        factory.Twilio.Intercept = _ => Task.FromResult<HttpResponseMessage?>(EmulatedTwilio.Error(HttpStatusCode.InternalServerError, 20500, "Internal error"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "dave", "hi"))).StatusCode);

        var lines = factory.Logs.Lines.Select(l => l.Text).ToList();
        Assert.True(lines.Count > 50, $"Expected a full trace-level log, got {lines.Count} lines.");
        Assert.Contains(lines, line => line.Contains("Authorization:", StringComparison.Ordinal));
        string[] secrets =
        [
            ApiSecret, BearerToken, BearerToken + "-guess", PluginFactory.AuthToken,
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ApiKey}:{ApiSecret}")),
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ApiKey}:rotated-secret")),
        ];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ATokenInTheUrlIsRedactedInTheRequestLog()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken,
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        });
        var request = PluginFactory.HandoverRequest(null, "user_id:42", $"?token={PluginFactory.HandoverToken}&FlexWorkspaceSid=WS123");
        request.Headers.Authorization = null;

        var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var lines = factory.Logs.Lines.Select(l => l.Text).ToList();
        Assert.Contains(lines, line => line.Contains("token=[redacted]&FlexWorkspaceSid=WS123", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains(PluginFactory.HandoverToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASignInLogsNoAddressCodeSecretOrToken()
    {
        const string Secret = "gpt-secret-never-logged-0001";
        const string Redirect = "https://chat.openai.com/aip/g-abc/oauth/callback";
        using var factory = new PluginFactory(SignInFlow.Settings(new Dictionary<string, string?>
        {
            ["OAUTH_CLIENTS"] = $"my-gpt|{Secret}|{Redirect}|api",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:OpenIddict"] = "Trace",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
        }));
        factory.Twilio.AutoReply = true;
        using var flow = new SignInFlow(factory);

        var clientId = await flow.RegisterAsync();
        var pkce = Pkce.Create();
        var code = SignInFlow.Code(await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: flow.McpResource), "+1 555 123 0001"));
        var tokens = await flow.RedeemAsync(clientId, code, pkce.Verifier, flow.McpResource);
        var refreshed = await flow.RefreshAsync(clientId, tokens.RefreshToken);
        using var mcp = await factory.CreateClient().SendAsync(WithBearer(RawMcp.Post(RawMcp.Initialize), refreshed.AccessToken));
        await flow.RevokeAsync(clientId, refreshed.RefreshToken);
        var gptCode = SignInFlow.Code(await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery("my-gpt", pkce: null, redirect: Redirect), "ana@example.com"));
        var gpt = await flow.TokenAsync(new() { ["grant_type"] = "authorization_code", ["code"] = gptCode, ["redirect_uri"] = Redirect, ["client_id"] = "my-gpt", ["client_secret"] = Secret });
        Assert.Equal(HttpStatusCode.OK, gpt.Status);

        var lines = factory.Logs.Lines.Select(l => l.Text).ToList();
        Assert.True(lines.Count > 50, $"Expected a full trace-level log, got {lines.Count} lines.");
        string[] secrets =
        [
            "+15551230001", "15551230001", "ana@example.com", flow.CodeFor("+15551230001"), flow.CodeFor("ana@example.com"), code, gptCode,
            pkce.Verifier, tokens.AccessToken, tokens.RefreshToken, refreshed.AccessToken, refreshed.RefreshToken, gpt.AccessToken, Secret,
        ];
        foreach (var secret in secrets)
        {
            var leaked = lines.FirstOrDefault(line => line.Contains(secret, StringComparison.Ordinal));
            Assert.True(leaked is null, $"Logged ({Array.IndexOf(secrets, secret)}): {leaked?[..Math.Min(leaked.Length, 120)]}");
        }
    }

    private static HttpRequestMessage WithBearer(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
