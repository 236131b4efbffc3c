using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Agents sign in to the agents' endpoints with their own Flex token, which Twilio's IAM (a WireMock stand-in) validates:
/// refusals are problems an agent can act on, answers are kept until the token expires, and the agent is the caller.
/// </summary>
public sealed class FlexSignInTests : IDisposable
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string AgentKey = "agent-key-0123456789abcdef";
    private const string WorkerSid = "WK0123456789abcdef0123456789abcdef";
    private static readonly string AssistPath = $"/voice/calls/{CallSid}/assist";

    private readonly PluginFactory factory;

    public FlexSignInTests() : this(null)
    {
    }

    private FlexSignInTests(Dictionary<string, string?>? settings)
    {
        var all = FakeIam.Settings();
        all["VOICE_AGENT_KEYS"] = $"desk={AgentKey}";
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        factory = new PluginFactory(all);
    }

    private DateTimeOffset Now => factory.Clock.GetUtcNow();

    [Fact]
    public async Task AnAgentsValidFlexTokenStartsAssistAndTwilioIsAskedWithTheAccountsCredentials()
    {
        var token = FlexTokens.Make("alice");
        factory.Iam.Knows(token, FakeIam.Valid("alice", Now.AddHours(1), WorkerSid, "agent"));

        var response = await SendAsync(HttpMethod.Post, AssistPath, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("started", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]);
        Assert.Equal([token], factory.Iam.Asked);
    }

    [Theory]
    [InlineData("supervisor")]
    [InlineData("admin")]
    public async Task SupervisorsAndAdminsMayUseTheAgentsEndpointsToo(string role)
    {
        var token = FlexTokens.Make(role);
        factory.Iam.Knows(token, FakeIam.Valid(role, Now.AddHours(1), WorkerSid, role));

        var response = await SendAsync(HttpMethod.Post, AssistPath, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("text/event-stream")]
    [InlineData(null)]
    public async Task ATokenTwilioRefusesIs401WithWwwAuthenticateWhateverTheAcceptHeader(string? accept)
    {
        var token = FlexTokens.Make("forged");
        factory.Iam.Knows(token, FakeIam.Invalid(20101, "Invalid Access Token"));

        var response = await SendAsync(HttpMethod.Post, AssistPath, token, accept);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"];
        Assert.Contains("20101", detail, StringComparison.Ordinal);
        Assert.Contains("sign in to Flex again", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid Access Token", detail, StringComparison.Ordinal);
        Assert.Equal(0, factory.Twilio.Count("POST", ".*/Streams.json"));
    }

    [Fact]
    public async Task AnExpiredTokenIs401SayingItExpired()
    {
        var token = FlexTokens.Make("late");
        factory.Iam.Knows(token, FakeIam.Valid("late", Now.AddMinutes(-1), WorkerSid, "agent"));

        var response = await SendAsync(HttpMethod.Post, AssistPath, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AValidTokenWithoutAnAgentRoleIs403()
    {
        var token = FlexTokens.Make("analyst");
        factory.Iam.Knows(token, FakeIam.Valid("analyst", Now.AddHours(1), WorkerSid, "wfo.data_analyst"));

        var response = await SendAsync(HttpMethod.Post, AssistPath, token, "text/html");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("agent role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, factory.Twilio.Count("POST", ".*/Streams.json"));
    }

    [Fact]
    public async Task NoTokenIs401SayingHowToSignIn()
    {
        var response = await SendAsync(HttpMethod.Post, AssistPath, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Flex token", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
        Assert.Empty(factory.Iam.Asked);
    }

    [Fact]
    public async Task TwilioFailingToValidateIs503WithRetryAfterAfterItsRetries()
    {
        var token = FlexTokens.Make("alice");
        factory.Iam.Failing = HttpStatusCode.ServiceUnavailable;

        var response = await factory.Clock.RunUntilDoneAsync(SendAsync(HttpMethod.Post, AssistPath, token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(5, factory.Iam.Validations(token));
    }

    [Fact]
    public async Task UnreachableIamIs503WithRetryAfterAndNothingIsKept()
    {
        var token = FlexTokens.Make("alice");
        factory.Iam.Knows(token, FakeIam.Valid("alice", Now.AddHours(1), WorkerSid, "agent"));
        factory.Iam.Stop();

        var response = await factory.Clock.RunUntilDoneAsync(SendAsync(HttpMethod.Post, AssistPath, token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("Try again", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AValidatedTokenIsNotValidatedAgainOnTheNextRequests()
    {
        var token = FlexTokens.Make("alice");
        factory.Iam.Knows(token, FakeIam.Valid("alice", Now.AddHours(1), WorkerSid, "agent"));

        var first = await SendAsync(HttpMethod.Post, AssistPath, token);
        var second = await SendAsync(HttpMethod.Delete, AssistPath, token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, factory.Iam.Validations(token));
    }

    [Fact]
    public async Task AKeptSignInEndsWhenTheTokenExpiresAndTwilioIsAskedAgain()
    {
        var token = FlexTokens.Make("alice");
        factory.Iam.Knows(token, FakeIam.Valid("alice", Now.AddMinutes(2), WorkerSid, "agent"), FakeIam.Invalid(20104, "Access Token expired"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, AssistPath, token)).StatusCode);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, AssistPath, token)).StatusCode);

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        var afterExpiry = await SendAsync(HttpMethod.Post, AssistPath, token);

        Assert.Equal(HttpStatusCode.Unauthorized, afterExpiry.StatusCode);
        Assert.Equal(2, factory.Iam.Validations(token));
    }

    [Fact]
    public async Task ARefusedTokenIsKeptBrieflySoRepeatingItCostsOneValidation()
    {
        var token = FlexTokens.Make("forged");
        factory.Iam.Knows(token, FakeIam.Invalid(20101, "Invalid Access Token"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, AssistPath, token)).StatusCode);
        }

        Assert.Equal(1, factory.Iam.Validations(token));
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, AssistPath, token)).StatusCode);
        Assert.Equal(2, factory.Iam.Validations(token));
    }

    [Fact]
    public async Task EachAgentIsItsOwnCallerForTheRateLimit()
    {
        using var limited = new FlexSignInTests(new() { ["RATE_LIMIT_PER_ADDRESS"] = "1" });
        var (alice, bob) = (FlexTokens.Make("alice"), FlexTokens.Make("bob"));
        limited.factory.Iam.Knows(alice, FakeIam.Valid("alice", limited.Now.AddHours(1), WorkerSid, "agent"));
        limited.factory.Iam.Knows(bob, FakeIam.Valid("bob", limited.Now.AddHours(1), "WK" + new string('b', 32), "agent"));

        var aliceFirst = await limited.SendAsync(HttpMethod.Delete, AssistPath, alice);
        var aliceAgain = await limited.SendAsync(HttpMethod.Delete, AssistPath, alice);
        var bobFirst = await limited.SendAsync(HttpMethod.Delete, AssistPath, bob);

        Assert.Equal(HttpStatusCode.NotFound, aliceFirst.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, aliceAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, bobFirst.StatusCode);
    }

    [Fact]
    public async Task TheSignInAndTheRequestLogNameTheAgentAndItsWorkerButNeverTheToken()
    {
        using var logged = new FlexSignInTests(new() { ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Information" });
        var token = FlexTokens.Make("alice");
        logged.factory.Iam.Knows(token, FakeIam.Valid("alice", logged.Now.AddHours(1), WorkerSid, "agent"));

        await logged.SendAsync(HttpMethod.Post, AssistPath, token);

        var logs = logged.factory.Logs;
        await logs.WaitForAsync(line => line.Text.Contains($"Flex agent alice (worker {WorkerSid}, roles agent) signed in", StringComparison.Ordinal));
        await logs.WaitForAsync(line => line.Text.Contains(AssistPath, StringComparison.Ordinal)
            && line.Text.Contains("Caller: alice", StringComparison.Ordinal) && line.Text.Contains($"WorkerSid: {WorkerSid}", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Text.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AgentKeysStillOpenTheAgentsEndpointsWithoutAskingTwilio()
    {
        var response = await SendAsync(HttpMethod.Post, AssistPath, AgentKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(factory.Iam.Asked);
    }

    [Fact]
    public async Task AKeyWithFiveDottedPartsIsStillAKeyNotAFlexToken()
    {
        const string dotted = "desk.key.with.five.parts-0123456789";
        using var keyed = new FlexSignInTests(new() { ["VOICE_AGENT_KEYS"] = $"desk={dotted}" });

        var response = await keyed.SendAsync(HttpMethod.Post, AssistPath, dotted);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(keyed.factory.Iam.Asked);
    }

    [Fact]
    public async Task WithAnApiKeyForRestCallsTwilioStillValidatesWithTheAccountsAuthToken()
    {
        const string apiKey = "SK0123456789abcdef0123456789abcdef";
        using var keyed = new FlexSignInTests(new() { ["TWILIO_API_KEY"] = apiKey, ["TWILIO_API_SECRET"] = "api-secret-0001" });
        keyed.factory.Twilio.User = apiKey;
        keyed.factory.Twilio.Password = "api-secret-0001";
        var token = FlexTokens.Make("alice");
        keyed.factory.Iam.Knows(token, FakeIam.Valid("alice", keyed.Now.AddHours(1), WorkerSid, "agent"));

        var response = await keyed.SendAsync(HttpMethod.Post, AssistPath, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, keyed.factory.Iam.Validations(token));
    }

    public void Dispose() => factory.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? accept = null)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
