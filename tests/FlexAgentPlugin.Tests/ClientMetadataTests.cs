using System.Net;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Hosting.OAuth;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Clients known by their Client ID Metadata Document: the document is fetched, checked and used, and never from an
/// address that is not public, too large or too slow. Documents are served by WireMock on this machine; only the tests
/// that say so allow that (an option bound to no setting), and no test ever connects to a private network's address.
/// </summary>
public sealed class ClientMetadataTests : IDisposable
{
    private readonly WireMockServer documents = WireMockServer.Start();

    public void Dispose() => documents.Dispose();

    private string DocumentUrl(string host = "127.0.0.1", string scheme = "http") => $"{scheme}://{host}:{documents.Port}/client.json";

    [Fact]
    public async Task ClientIdMetadataDocumentClientSignsIn()
    {
        using var factory = Server(allowLoopback: true);
        using var flow = new SignInFlow(factory);
        var clientId = DocumentUrl();
        Serve(Document(clientId));
        var pkce = Pkce.Create();

        using var start = await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: flow.McpResource));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var back = await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: flow.McpResource));
        var tokens = await flow.RedeemAsync(clientId, SignInFlow.Code(back), pkce.Verifier, flow.McpResource);

        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        using var mcp = await factory.CreateClient().SendAsync(WithBearer(RawMcp.Post(RawMcp.Initialize), tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, mcp.StatusCode);
    }

    [Fact]
    public async Task TheConsentPageNamesTheClientAndWhereItsDocumentLives()
    {
        using var factory = Server(allowLoopback: true);
        using var flow = new SignInFlow(factory);
        var clientId = DocumentUrl();
        Serve(Document(clientId, name: "Loopback <b>tool</b>"));
        using var start = await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(clientId, Pkce.Create(), resource: flow.McpResource));
        var signIn = await flow.PageAsync(start.Headers.Location!.OriginalString);
        using var sent = await flow.PostFormAsync("/oauth/sign-in", signIn, new() { ["contact"] = "+15551230001" });
        using var signedIn = await flow.PostFormAsync("/oauth/sign-in/code", await flow.PageAsync("/oauth/sign-in/code"), new() { ["code"] = flow.CodeFor("+15551230001") });

        var consent = await flow.PageAsync(signedIn.Headers.Location!.OriginalString);

        Assert.Contains("Loopback &lt;b&gt;tool&lt;/b&gt;", consent, StringComparison.Ordinal);
        Assert.Contains($"as described at 127.0.0.1:{documents.Port}", consent, StringComparison.Ordinal);
        Assert.Contains("<strong>127.0.0.1:9999</strong>", consent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectUriNotInTheDocumentIsRefused()
    {
        using var factory = Server(allowLoopback: true);
        using var flow = new SignInFlow(factory);
        Serve(Document(DocumentUrl()));

        using var response = await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(DocumentUrl(), Pkce.Create(), redirect: "http://127.0.0.1:9999/elsewhere"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task MetadataDocumentOnAPrivateAddressIsRefused(string host)
    {
        using var factory = Server(allowLoopback: false);
        using var flow = new SignInFlow(factory);
        var clientId = DocumentUrl(host, "https");
        Serve(Document(clientId));

        using var response = await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(clientId, Pkce.Create()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not public", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(documents.LogEntries);
    }

    [Theory]
    [InlineData("large")]
    [InlineData("slow")]
    [InlineData("redirect")]
    [InlineData("another client_id")]
    [InlineData("not json")]
    public async Task MetadataDocumentTooLargeOrSlowIsRefused(string fault)
    {
        using var factory = Server(allowLoopback: true, timeout: TimeSpan.FromMilliseconds(300));
        using var flow = new SignInFlow(factory);
        var clientId = DocumentUrl();
        var response = Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json");
        documents.Given(Request.Create().WithPath("/client.json").UsingGet()).RespondWith(fault switch
        {
            "large" => response.WithBody(Padded(Document(clientId)).ToJsonString()),
            "slow" => response.WithBody(Document(clientId).ToJsonString()).WithDelay(TimeSpan.FromSeconds(2)),
            "redirect" => Response.Create().WithStatusCode(302).WithHeader("Location", DocumentUrl().Replace("client.json", "moved.json", StringComparison.Ordinal)),
            "another client_id" => response.WithBody(Document("https://other.example/client.json").ToJsonString()),
            _ => response.WithBody("<html>"),
        });

        documents.Given(Request.Create().WithPath("/moved.json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Document(clientId).ToJsonString()));

        using var refused = await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(clientId, Pkce.Create()));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("invalid_client", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(refused.Headers.Location);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    public void AddressesOfThisNetworkAreNotPublic(string address) => Assert.False(NetworkAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("::ffff:93.184.216.34")]
    public void AddressesOnTheInternetArePublic(string address) => Assert.True(NetworkAddresses.IsPublic(IPAddress.Parse(address)));

    private static PluginFactory Server(bool allowLoopback, TimeSpan? timeout = null) => new(SignInFlow.Settings())
    {
        TestServices = services => services.PostConfigure<ClientMetadataOptions>(options =>
        {
            options.AllowLoopback = allowLoopback;
            options.Timeout = timeout ?? options.Timeout;
        }),
    };

    private static JsonObject Document(string clientId, string name = "Loopback tool") => new()
    {
        ["client_id"] = clientId,
        ["client_name"] = name,
        ["redirect_uris"] = new JsonArray(SignInFlow.Redirect),
        ["token_endpoint_auth_method"] = "none",
    };

    private static JsonObject Padded(JsonObject document)
    {
        document["padding"] = new string('x', 6 * 1024);
        return document;
    }

    private void Serve(JsonObject document) =>
        documents.Given(Request.Create().WithPath("/client.json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(document.ToJsonString()));

    private static HttpRequestMessage WithBearer(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
