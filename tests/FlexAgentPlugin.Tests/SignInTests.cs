using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The built-in sign-in as an MCP client drives it, over plain HTTP: discovery from the 401, dynamic registration,
/// authorization with PKCE through the sign-in pages and consent, the token, and MCP calls as the signed-in person;
/// and what it refuses on the way.
/// </summary>
public sealed class SignInTests : IDisposable
{
    private readonly PluginFactory factory = new(SignInFlow.Settings());
    private readonly SignInFlow flow;

    public SignInTests() => flow = new SignInFlow(factory);

    public void Dispose()
    {
        flow.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task UnauthenticatedMcpCallPointsToResourceMetadata()
    {
        using var response = await factory.CreateClient().SendAsync(RawMcp.Post(RawMcp.Initialize));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer resource_metadata=\"http://localhost/.well-known/oauth-protected-resource/mcp\", scope=\"human_agent\"",
            response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task ResourceMetadataNamesTheMcpUrlAndTheIssuer()
    {
        foreach (var path in new[] { "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource" })
        {
            var metadata = (await flow.Http.GetFromJsonAsync<JsonObject>(path))!;
            Assert.Equal("http://localhost/mcp", (string?)metadata["resource"]);
            Assert.Equal("http://localhost/", (string?)metadata["authorization_servers"]![0]);
            Assert.Equal("human_agent", (string?)metadata["scopes_supported"]![0]);
        }

        var server = (await flow.Http.GetFromJsonAsync<JsonObject>("/.well-known/oauth-authorization-server"))!;
        Assert.Equal("http://localhost/", (string?)server["issuer"]);
        Assert.Equal(["S256"], server["code_challenge_methods_supported"]!.AsArray().Select(m => (string?)m));
        Assert.Equal("http://localhost/oauth/register", (string?)server["registration_endpoint"]);
        Assert.True((bool)server["client_id_metadata_document_supported"]!);
        Assert.DoesNotContain("openid", server["scopes_supported"]!.AsArray().Select(s => (string?)s));
        Assert.Equal(HttpStatusCode.NotFound, (await flow.Http.GetAsync("/.well-known/oauth-protected-resource/other")).StatusCode);
    }

    [Theory]
    [InlineData("/.well-known/oauth-protected-resource/mcp", true)]
    [InlineData("/.well-known/oauth-authorization-server", true)]
    [InlineData("/oauth/token", true)]
    [InlineData("/oauth/register", true)]
    [InlineData("/oauth/sign-in", false)]
    public async Task APageOfAnyOriginMayCallTheMachineEndpointsButNotThePeoplesPages(string path, bool allowed)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", "http://localhost:6274");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await flow.Http.SendAsync(preflight);

        Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins) && origins.Single() == "*");
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task DynamicallyRegisteredClientSignsInAndCallsAskHumanAgent()
    {
        factory.Twilio.AutoReply = true;

        // Discovery as a client does it: from the 401 to the resource's metadata, its authorization server, and its endpoints.
        using var refused = await factory.CreateClient().SendAsync(RawMcp.Post(RawMcp.Initialize));
        var metadataUrl = refused.Headers.WwwAuthenticate.ToString().Split('"')[1];
        var resource = (await flow.Http.GetFromJsonAsync<JsonObject>(metadataUrl))!;
        var issuer = (string)resource["authorization_servers"]![0]!;
        var server = (await flow.Http.GetFromJsonAsync<JsonObject>(new Uri(new Uri(issuer), ".well-known/oauth-authorization-server")))!;
        using var registered = await flow.Http.PostAsJsonAsync((string)server["registration_endpoint"]!,
            new { client_name = "Script", redirect_uris = new[] { SignInFlow.Redirect }, token_endpoint_auth_method = "none" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var clientId = (string)(await registered.Content.ReadFromJsonAsync<JsonObject>())!["client_id"]!;
        var pkce = Pkce.Create();
        var back = await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: (string)resource["resource"]!), "+1 (555) 123-0001");
        Assert.StartsWith(SignInFlow.Redirect + "?code=", back.ToString(), StringComparison.Ordinal);
        Assert.Contains("state=state-0123", back.Query, StringComparison.Ordinal);
        Assert.Contains("iss=http%3A%2F%2Flocalhost%2F", back.Query, StringComparison.Ordinal);
        var tokens = await flow.RedeemAsync(clientId, SignInFlow.Code(back), pkce.Verifier, "http://localhost/mcp");
        Assert.Equal(HttpStatusCode.OK, tokens.Status);

        await using var mcp = await McpConnection.ConnectAsync(flow.McpHttp(tokens.AccessToken));
        var result = await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Where is my order?", ["user"] = "someone-else-0001" });

        Assert.Equal("replied", result.Structured("status"));
        var user = result.Structured("user")!;
        Assert.Matches("^u_[0-9a-f]{32}$", user);
        var message = Assert.Single(Assert.Single(factory.Twilio.Conversations).Messages, m => m.Body == "Where is my order?");
        Assert.Equal(user, message.Author);
    }

    [Fact]
    public async Task ReusedCodeIsRefusedAndRevokesItsTokens()
    {
        var clientId = await flow.RegisterAsync();
        var pkce = Pkce.Create();
        var code = SignInFlow.Code(await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: flow.McpResource)));
        var first = await flow.RedeemAsync(clientId, code, pkce.Verifier, flow.McpResource);
        Assert.Equal(HttpStatusCode.OK, (await flow.McpHttp(first.AccessToken).SendAsync(RawMcp.Post(RawMcp.Initialize))).StatusCode);

        var again = await flow.RedeemAsync(clientId, code, pkce.Verifier, flow.McpResource);

        Assert.Equal("invalid_grant", again.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, (await flow.McpHttp(first.AccessToken).SendAsync(RawMcp.Post(RawMcp.Initialize))).StatusCode);
        Assert.Equal("invalid_grant", (await flow.RefreshAsync(clientId, first.RefreshToken)).Error);
    }

    [Fact]
    public async Task WrongCodeVerifierIsRefused()
    {
        var clientId = await flow.RegisterAsync();
        var pkce = Pkce.Create();
        var code = SignInFlow.Code(await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: flow.McpResource)));

        var answer = await flow.RedeemAsync(clientId, code, Pkce.Create().Verifier, flow.McpResource);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_grant", answer.Error);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("none")]
    public async Task PlainOrNoCodeChallengeIsRefused(string method)
    {
        var clientId = await flow.RegisterAsync();

        using var response = await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(clientId, method == "none" ? null : Pkce.Create(), method: method));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("invalid_request", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnregisteredRedirectUriIsNeverRedirectedTo()
    {
        var clientId = await flow.RegisterAsync();

        using var response = await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(clientId, Pkce.Create(), redirect: "https://attacker.example/callback"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.DoesNotContain("attacker.example", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResourceTheClientMayNotUseIsRefusedAtTheTokenEndpoint()
    {
        var clientId = await flow.RegisterAsync();
        var pkce = Pkce.Create();
        var code = SignInFlow.Code(await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: flow.McpResource)));

        var answer = await flow.RedeemAsync(clientId, code, pkce.Verifier, "http://localhost/");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
    }

    [Theory]
    [InlineData("https://claude.ai/api/mcp/auth_callback", "<strong>claude.ai</strong>")]
    [InlineData("com.example.desktop:/oauth/callback", "<strong>com.example.desktop:</strong>")]
    public async Task TheConsentPageNamesTheHostThePersonReturnsTo(string redirect, string shown)
    {
        var clientId = await flow.RegisterAsync(redirect, name: "Claude");

        var consent = await flow.ConsentPageAsync(SignInFlow.AuthorizeQuery(clientId, Pkce.Create(), redirect, flow.McpResource));

        Assert.Contains("<span class=\"client\">Claude</span> wants to act for you (signed in as &#x2B;15551230001)", consent, StringComparison.Ordinal);
        Assert.Contains($"you go back to {shown}", consent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeniedConsentReturnsAccessDeniedToTheClient()
    {
        var clientId = await flow.RegisterAsync();

        var back = await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, Pkce.Create(), resource: flow.McpResource), decision: "deny");

        Assert.StartsWith(SignInFlow.Redirect, back.ToString(), StringComparison.Ordinal);
        Assert.Contains("error=access_denied", back.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", back.Query, StringComparison.Ordinal);
    }
}
