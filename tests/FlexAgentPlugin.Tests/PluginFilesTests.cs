using System.Net;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

public sealed class PluginFilesTests
{
    private const string PublicUrl = "https://abc123.ngrok.app";

    [Fact]
    public async Task ManifestPointsAtThePublicBaseUrl()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = PublicUrl + "/" });

        var response = await factory.CreateClient().GetAsync("/.well-known/ai-plugin.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var manifest = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("v1", (string?)manifest["schema_version"]);
        Assert.Equal($"{PublicUrl}/openapi.yaml", (string?)manifest["api"]!["url"]);
        Assert.Equal($"{PublicUrl}/logo.png", (string?)manifest["logo_url"]);
        Assert.Equal($"{PublicUrl}/legal", (string?)manifest["legal_info_url"]);
    }

    [Fact]
    public async Task ManifestUsesTheRequestHostWhenNoPublicUrlIsSet()
    {
        using var factory = new PluginFactory();

        var manifest = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/.well-known/ai-plugin.json"))!;

        Assert.Equal("http://localhost/openapi.yaml", (string?)manifest["api"]!["url"]);
    }

    [Fact]
    public async Task MachineNameInHostnameIsNotPublishedAsTheAddress()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["HOSTNAME"] = "buildbox-42" });

        var manifest = await factory.CreateClient().GetStringAsync("/.well-known/ai-plugin.json");

        Assert.DoesNotContain("buildbox-42", manifest, StringComparison.Ordinal);
        Assert.Contains("http://localhost/logo.png", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostnameThatIsAUrlIsUsedAsTheOriginalDid()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["HOSTNAME"] = "https://legacy.example.com" });

        var yaml = await factory.CreateClient().GetStringAsync("/openapi.yaml");

        Assert.Contains("url: https://legacy.example.com\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublicBaseUrlWinsOverHostname()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["HOSTNAME"] = "https://legacy.example.com",
            ["PUBLIC_BASE_URL"] = PublicUrl,
        });

        var manifest = await factory.CreateClient().GetStringAsync("/.well-known/ai-plugin.json");

        Assert.Contains($"{PublicUrl}/openapi.yaml", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("legacy.example.com", manifest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/openapi.yaml")]
    [InlineData("/")]
    public async Task OpenApiYamlIsServedWithThePublicServerUrl(string path)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = PublicUrl });

        var response = await factory.CreateClient().GetAsync(path);
        var yaml = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/yaml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Contains($"  - url: {PublicUrl}\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost:5002", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "  - oauth: [human_agent]\n  - {}\n")]
    [InlineData("gpt=gpt-token-0123456789abcdef", "  - oauth: [human_agent]\n  - bearerAuth: []\n")]
    public async Task WithSignInTheManifestAndOpenApiDeclareOAuth(string? keys, string security)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = PublicUrl, ["API_KEYS"] = keys });
        var client = factory.CreateClient();

        var manifest = JsonNode.Parse(await client.GetStringAsync("/.well-known/ai-plugin.json"))!;
        var yaml = await client.GetStringAsync("/openapi.yaml");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"type": "oauth", "client_url": "{{PublicUrl}}/oauth/authorize", "authorization_url": "{{PublicUrl}}/oauth/token",
             "scope": "human_agent", "authorization_content_type": "application/x-www-form-urlencoded"}
            """), manifest["auth"]), manifest["auth"]!.ToJsonString());
        Assert.Contains("\nsecurity:\n" + security, yaml, StringComparison.Ordinal);
        Assert.Contains($"authorizationUrl: {PublicUrl}/oauth/authorize\n", yaml, StringComparison.Ordinal);
        Assert.Contains($"tokenUrl: {PublicUrl}/oauth/token\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutSignInTheDocumentsDeclareNoOAuth()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = PublicUrl, ["OAUTH"] = "off" });
        var client = factory.CreateClient();

        var manifest = JsonNode.Parse(await client.GetStringAsync("/.well-known/ai-plugin.json"))!;
        var yaml = await client.GetStringAsync("/openapi.yaml");

        Assert.Equal("""{"type":"none"}""", manifest["auth"]!.ToJsonString());
        Assert.Contains("\nsecurity: []\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost:5002", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogoIsServedAsPng()
    {
        using var factory = new PluginFactory();

        var response = await factory.CreateClient().GetAsync("/logo.png");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    [Fact]
    public async Task LegalPageIsPlainUtf8Text()
    {
        using var factory = new PluginFactory();

        var response = await factory.CreateClient().GetAsync("/legal");

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Contains("SHA-256", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthzAnswersHealthy()
    {
        using var factory = new PluginFactory();

        var response = await factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SwaggerUiShowsTheServedOpenApiYaml()
    {
        using var factory = new PluginFactory();
        var client = factory.CreateClient();

        var page = await client.GetAsync("/swagger/index.html");
        var initializer = await client.GetStringAsync("/swagger/index.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/openapi.yaml", initializer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://chat.openai.com")]
    [InlineData("https://chatgpt.com")]
    public async Task CorsAllowsChatGpt(string origin)
    {
        using var factory = new PluginFactory();

        using var response = await factory.CreateClient().SendAsync(Preflight(origin));

        Assert.Equal(origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task CorsRefusesOtherOrigins()
    {
        using var factory = new PluginFactory();

        using var response = await factory.CreateClient().SendAsync(Preflight("https://evil.example"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task PluginFilesAnswerWhileAUserWaitsForAnAgent()
    {
        using var factory = new PluginFactory();
        var client = factory.CreateClient();
        var waiting = PluginFactory.SendAsync(client, "alice", "Anyone there?");
        await factory.Clock.WaitForArmedTimerAsync();

        var logo = await client.GetAsync("/logo.png");

        Assert.Equal(HttpStatusCode.OK, logo.StatusCode);
        Assert.False(waiting.IsCompleted);
        factory.Twilio.AgentSays(factory.Twilio.Conversations.Single().Sid, "Yes!");
        Assert.Equal(HttpStatusCode.OK, (await factory.Clock.RunUntilDoneAsync(waiting)).StatusCode);
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/send/alice");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return request;
    }
}
