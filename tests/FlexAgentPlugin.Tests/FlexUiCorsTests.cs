using System.Net;
using System.Net.Http.Headers;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Flex UI's origin (https://flex.twilio.com, or FLEX_UI_ORIGINS) may call the agents' endpoints from the browser, and
/// only those: its preflights pass without a sign-in, other origins get no CORS grant, and other endpoints keep theirs.
/// </summary>
public sealed class FlexUiCorsTests : IDisposable
{
    private const string Flex = "https://flex.twilio.com";
    private const string AssistPath = "/voice/calls/CA0123456789abcdef0123456789abcdef/assist";

    private readonly PluginFactory factory = new(FakeIam.Settings());

    [Theory]
    [InlineData(AssistPath, "POST")]
    [InlineData(AssistPath, "DELETE")]
    [InlineData("/voice/calls/CA0123456789abcdef0123456789abcdef/events", "GET")]
    [InlineData("/stream", "POST")]
    [InlineData("/token", "GET")]
    public async Task APreflightFromFlexIsAllowedWithoutSigningIn(string path, string method)
    {
        var response = await PreflightAsync(factory, path, Flex, method, "authorization,content-type,last-event-id");

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        Assert.Equal(Flex, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var allowed = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        Assert.Contains("authorization", allowed, StringComparison.Ordinal);
        Assert.Contains("content-type", allowed, StringComparison.Ordinal);
        Assert.Contains("last-event-id", allowed, StringComparison.Ordinal);
        Assert.Contains(method, string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.Empty(factory.Iam.Asked);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://chatgpt.com")]
    public async Task APreflightFromAnotherOriginIsNotGranted(string origin)
    {
        var response = await PreflightAsync(factory, AssistPath, origin, "POST", "authorization");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task FlexsOriginIsGrantedOnTheAgentsEndpointsOnly()
    {
        var send = await PreflightAsync(factory, "/send/alice", Flex, "POST", "authorization,content-type");
        var chatGpt = await PreflightAsync(factory, "/send/alice", "https://chatgpt.com", "POST", "authorization,content-type");

        Assert.False(send.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal("https://chatgpt.com", chatGpt.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task ARefusalReachesFlexWithWwwAuthenticateAndRetryAfterReadable()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, AssistPath);
        request.Headers.Add("Origin", Flex);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Flex, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers"));
        Assert.Contains("WWW-Authenticate", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Retry-After", exposed, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FlexUiOriginsReplacesTheDefaultOrigin()
    {
        using var own = new PluginFactory(new Dictionary<string, string?> { ["FLEX_UI_ORIGINS"] = "https://flex.example.com, http://127.0.0.1:8080/" });

        var configured = await PreflightAsync(own, AssistPath, "https://flex.example.com", "POST", "authorization");
        var local = await PreflightAsync(own, AssistPath, "http://127.0.0.1:8080", "POST", "authorization");
        var twilios = await PreflightAsync(own, AssistPath, Flex, "POST", "authorization");

        Assert.Equal("https://flex.example.com", configured.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("http://127.0.0.1:8080", local.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(twilios.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("flex.twilio.com")]
    [InlineData("https://flex.twilio.com/agent-desktop")]
    [InlineData("*")]
    [InlineData(" , ")]
    public void AMalformedFlexUiOriginStopsTheStartNamingTheVariable(string origins)
    {
        var failures = ConfigurationTests.StartFailures(new Dictionary<string, string?> { ["FLEX_UI_ORIGINS"] = origins });

        Assert.Contains(failures, failure => failure.StartsWith("FLEX_UI_ORIGINS must be browser origins", StringComparison.Ordinal));
    }

    public void Dispose() => factory.Dispose();

    private static async Task<HttpResponseMessage> PreflightAsync(PluginFactory server, string path, string origin, string method, string headers)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        return await client.SendAsync(request);
    }
}
