using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ModelContextProtocol.Client;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Tokens from another authorization server (OAUTH_AUTHORITY), its metadata and keys discovered, played by WireMock with
/// a test RSA key: accepted for the right audience and scope, their person named by OAUTH_USER_CLAIM, the built-in
/// server not there at all.
/// </summary>
public sealed class ExternalAuthorityTests : IDisposable
{
    private readonly WireMockServer authority = WireMockServer.Start();
    private readonly RSA key = RSA.Create(2048);

    public ExternalAuthorityTests()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)) { KeyId = "test-key" });
        authority.Given(Request.Create().WithPath("/.well-known/openid-configuration").UsingGet()).RespondWith(Response.Create().WithHeader("Content-Type", "application/json")
            .WithBody(new JsonObject { ["issuer"] = Issuer, ["jwks_uri"] = Issuer + "/jwks", ["authorization_endpoint"] = Issuer + "/authorize" }.ToJsonString()));
        authority.Given(Request.Create().WithPath("/jwks").UsingGet()).RespondWith(Response.Create().WithHeader("Content-Type", "application/json")
            .WithBody(new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["kid"] = jwk.Kid, ["n"] = jwk.N, ["e"] = jwk.E }) }.ToJsonString()));
    }

    private string Issuer => $"http://127.0.0.1:{authority.Port}";

    public void Dispose()
    {
        authority.Dispose();
        key.Dispose();
    }

    [Fact]
    public async Task ExternalAuthorityTokenIsAccepted()
    {
        using var factory = Server();
        factory.Twilio.AutoReply = true;

        await using var mcp = await McpConnection.ConnectAsync(factory, Token(factory, ("sub", "auth0|123"), ("scope", "human_agent")));
        var result = await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Hello from Auth0" });

        var expected = "x_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Issuer}|auth0|123")))[..32];
        Assert.Equal(expected, result.Structured("user"));
        Assert.Equal(expected, Assert.Single(Assert.Single(factory.Twilio.Conversations).Messages, m => m.Body == "Hello from Auth0").Author);
        var metadata = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/.well-known/oauth-protected-resource/mcp"))!;
        Assert.Equal(Issuer, (string?)metadata["authorization_servers"]![0]);
    }

    [Fact]
    public async Task EntraIdsShortScopeCountsForTheFullOne()
    {
        using var factory = Server(new() { ["OAUTH_SCOPE"] = "api://flex-agent/human_agent", ["OAUTH_AUDIENCE"] = "api://flex-agent" });

        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(factory, Token(factory, "api://flex-agent", ("sub", "entra-user"), ("scp", "human_agent"))));
    }

    [Fact]
    public async Task ExternalTokenWithoutTheUserClaimIsRefused()
    {
        using var factory = Server(new() { ["OAUTH_USER_CLAIM"] = "email" });

        Assert.Equal(HttpStatusCode.Unauthorized, await McpStatusAsync(factory, Token(factory, ("sub", "auth0|123"), ("scope", "human_agent"))));
    }

    [Fact]
    public async Task TokenWithoutScopeGetsInsufficientScope()
    {
        using var factory = Server();
        using var request = RawMcp.Post(RawMcp.Initialize);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(factory, ("sub", "auth0|123"), ("scope", "profile")));

        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("Bearer error=\"insufficient_scope\", scope=\"human_agent\", resource_metadata=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost/other")]
    [InlineData("http://localhost/")]
    public async Task ExternalTokenForAnotherResourceIsRefused(string audience)
    {
        using var factory = Server();

        Assert.Equal(HttpStatusCode.Unauthorized, await McpStatusAsync(factory, Token(factory, audience, ("sub", "auth0|123"), ("scope", "human_agent"))));
    }

    [Fact]
    public async Task WithAnExternalAuthorityTheBuiltInServerIsNotThere()
    {
        using var factory = Server();
        var http = factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/.well-known/oauth-authorization-server")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/oauth/sign-in?ReturnUrl=%2Foauth%2Fauthorize%3Fx%3D1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/oauth/register", new { redirect_uris = new[] { SignInFlow.Redirect } })).StatusCode);
    }

    private PluginFactory Server(Dictionary<string, string?>? settings = null) =>
        new(SignInFlow.Settings(new Dictionary<string, string?>(settings ?? []) { ["OAUTH_AUTHORITY"] = Issuer }));

    private string Token(PluginFactory factory, params (string Type, string Value)[] claims) => Token(factory, "http://localhost/mcp", claims);

    /// <summary>A token as the authority would sign it, its times on the server's clock.</summary>
    private string Token(PluginFactory factory, string audience, params (string Type, string Value)[] claims)
    {
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            Subject = new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value))),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });
    }

    private static async Task<HttpStatusCode> McpStatusAsync(PluginFactory factory, string token)
    {
        using var request = RawMcp.Post(RawMcp.Initialize);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await factory.CreateClient().SendAsync(request);
        return response.StatusCode;
    }
}
