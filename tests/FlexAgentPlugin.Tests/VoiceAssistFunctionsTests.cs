using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The voice-assist plugin's Functions, served here so that plugin works with FLEX_APP_FUNCTIONS_URL pointed at this
/// server: <c>POST /stream</c> (its Flex token in the body) and <c>GET /token</c> (a Sync token for SYNC_TOKEN_IDENTITY).
/// </summary>
public sealed class VoiceAssistFunctionsTests : IDisposable
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string Identity = "shared-identity-0123456789";
    private const string ApiKey = "SK0123456789abcdef0123456789abcdef";
    private const string ApiSecret = "api-secret-0123456789abcdef01234";
    private static readonly string SyncService = "IS" + new string('a', 32);

    private readonly PluginFactory factory;

    public VoiceAssistFunctionsTests()
    {
        var settings = FakeIam.Settings();
        settings["PUBLIC_BASE_URL"] = "https://voice.example.com";
        settings["SYNC_SERVICE_SID"] = SyncService;
        settings["SYNC_TOKEN_IDENTITY"] = Identity;
        settings["TWILIO_API_KEY"] = ApiKey;
        settings["TWILIO_API_SECRET"] = ApiSecret;
        factory = new PluginFactory(settings);
        factory.Twilio.User = ApiKey;
        factory.Twilio.Password = ApiSecret;
    }

    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    [Fact]
    public async Task StreamStartStartsTheCallsAssistAsTheAgentEndpointDoes()
    {
        var token = AgentToken("alice", "agent");

        var response = await PostStreamAsync(JsonContent.Create(new { action = "start", callSid = CallSid, Token = token }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((CallSid, "started"), ((string?)body["callSid"], (string?)body["status"]));
        Assert.StartsWith("MZ", (string?)body["streamSid"], StringComparison.Ordinal);
        var start = factory.Twilio.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith($"/Calls/{CallSid}/Streams.json", StringComparison.Ordinal));
        Assert.Equal("wss://voice.example.com/voice/stream", start.Form1("Url"));
        Assert.Equal("flex-assist", start.Form1("Name"));
        Assert.Equal("assistTicket", start.Form1("Parameter1.Name"));
    }

    [Fact]
    public async Task StreamStopStopsTheStreamAFormBodyStarted()
    {
        var token = AgentToken("alice", "agent");
        var started = await PostStreamAsync(new FormUrlEncodedContent([new("action", "start"), new("callSid", CallSid), new("Token", token)]));

        var stopped = await PostStreamAsync(JsonContent.Create(new { action = "stop", callSid = CallSid, Token = token }));

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal("stopped", (string?)JsonNode.Parse(await stopped.Content.ReadAsStringAsync())!["status"]);
        Assert.Equal(1, factory.Iam.Validations(token));
    }

    [Fact]
    public async Task StreamWithATokenTwilioRefusesIs403AndTouchesNoCall()
    {
        var token = FlexTokens.Make("forged");
        factory.Iam.Knows(token, FakeIam.Invalid(20101, "Invalid Access Token"));

        var response = await PostStreamAsync(JsonContent.Create(new { action = "start", callSid = CallSid, Token = token }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, factory.Twilio.Count("POST", ".*/Streams.json"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task StreamWithoutATokenIs403(string? token)
    {
        var response = await PostStreamAsync(JsonContent.Create(new { action = "start", callSid = CallSid, Token = token }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(factory.Iam.Asked);
    }

    [Fact]
    public async Task StreamWithATokenWithoutAnAgentRoleIs403()
    {
        var response = await PostStreamAsync(JsonContent.Create(new { action = "start", callSid = CallSid, Token = AgentToken("analyst", "wfo.data_analyst") }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, factory.Twilio.Count("POST", ".*/Streams.json"));
    }

    [Fact]
    public async Task StreamIs503WithRetryAfterWhenTwilioCannotValidate()
    {
        factory.Iam.Failing = HttpStatusCode.InternalServerError;

        var response = await factory.Clock.RunUntilDoneAsync(
            PostStreamAsync(JsonContent.Create(new { action = "start", callSid = CallSid, Token = FlexTokens.Make("alice") })));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("restart", CallSid, "action")]
    [InlineData("start", "CA123", "callSid")]
    public async Task StreamWithAWrongActionOrCallSidIs400NamingIt(string action, string callSid, string field)
    {
        var response = await PostStreamAsync(JsonContent.Create(new { action, callSid, Token = AgentToken("alice", "agent") }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamStopWithoutARunningStreamIs404()
    {
        var response = await PostStreamAsync(JsonContent.Create(new { action = "stop", callSid = CallSid, Token = AgentToken("alice", "agent") }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TokenGivesASyncTokenForTheIdentitySignedWithTheApiKey()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync($"/token?identity={Identity}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(Identity, (string?)body["identity"]);
        var jwt = ((string?)body["token"])!.Split('.');
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(jwt[0]))!;
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(jwt[1]))!;
        Assert.Equal(("HS256", "twilio-fpa;v=1"), ((string?)header["alg"], (string?)header["cty"]));
        Assert.Equal((ApiKey, PluginFactory.AccountSid), ((string?)payload["iss"], (string?)payload["sub"]));
        Assert.Equal(Identity, (string?)payload["grants"]!["identity"]);
        Assert.Equal(SyncService, (string?)payload["grants"]!["data_sync"]!["service_sid"]);
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), (long)payload["exp"]!);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(ApiSecret), Encoding.ASCII.GetBytes($"{jwt[0]}.{jwt[1]}"));
        Assert.Equal(Base64Url.EncodeToString(signature), jwt[2]);
    }

    [Theory]
    [InlineData("/token?identity=another-identity-0123456789")]
    [InlineData("/token")]
    public async Task TokenIs404ForAnyOtherIdentity(string path)
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TokenIs404WithoutSyncTokenIdentityAsIfThereWereNothingThere()
    {
        using var without = new PluginFactory(new Dictionary<string, string?> { ["SYNC_SERVICE_SID"] = SyncService });
        using var client = without.CreateClient();

        var token = await client.GetAsync($"/token?identity={Identity}");
        var nothing = await client.GetAsync("/no-such-path");

        Assert.Equal(HttpStatusCode.NotFound, token.StatusCode);
        Assert.Equal(JsonNode.Parse(await nothing.Content.ReadAsStringAsync())!["detail"]!.ToString(),
            JsonNode.Parse(await token.Content.ReadAsStringAsync())!["detail"]!.ToString());
    }

    [Fact]
    public async Task TheSharedIdentityNeverReachesTheRequestLog()
    {
        using var logged = new PluginFactory(new Dictionary<string, string?>
        {
            ["SYNC_SERVICE_SID"] = SyncService, ["SYNC_TOKEN_IDENTITY"] = Identity, ["TWILIO_API_KEY"] = ApiKey, ["TWILIO_API_SECRET"] = ApiSecret,
            ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Information",
        });
        using var client = logged.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/token?identity={Identity}")).StatusCode);

        await logged.Logs.WaitForAsync(line => line.Text.Contains("/token", StringComparison.Ordinal) && line.Text.Contains("identity=[redacted]", StringComparison.Ordinal));
        Assert.DoesNotContain(logged.Logs.Lines, line => line.Text.Contains(Identity, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("short", null, "at least 16")]
    [InlineData(Identity, null, "TWILIO_API_KEY")]
    [InlineData(Identity, "too-short-a-secret", "TWILIO_API_SECRET")]
    public void SyncTokenIdentityStopsTheStartWhenItCannotGuardOrSign(string identity, string? secret, string named)
    {
        var failures = ConfigurationTests.StartFailures(new Dictionary<string, string?>
        {
            ["SYNC_TOKEN_IDENTITY"] = identity, ["SYNC_SERVICE_SID"] = SyncService,
            ["TWILIO_API_KEY"] = secret is null ? null : ApiKey, ["TWILIO_API_SECRET"] = secret,
        });

        Assert.Contains(failures, failure => failure.StartsWith("SYNC_TOKEN_IDENTITY", StringComparison.Ordinal) && failure.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void SyncTokenIdentityWithoutASyncServiceStopsTheStart()
    {
        var failures = ConfigurationTests.StartFailures(new Dictionary<string, string?>
        {
            ["SYNC_TOKEN_IDENTITY"] = Identity, ["TWILIO_API_KEY"] = ApiKey, ["TWILIO_API_SECRET"] = ApiSecret,
        });

        Assert.Contains("SYNC_TOKEN_IDENTITY needs SYNC_SERVICE_SID, the Sync service (IS…) its tokens open.", failures);
    }

    public void Dispose() => factory.Dispose();

    private string AgentToken(string identity, string role)
    {
        var token = FlexTokens.Make(identity);
        factory.Iam.Knows(token, FakeIam.Valid(identity, Now.AddHours(1), "WK" + new string('1', 32), role));
        return token;
    }

    private async Task<HttpResponseMessage> PostStreamAsync(HttpContent content)
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsync("/stream", content);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
