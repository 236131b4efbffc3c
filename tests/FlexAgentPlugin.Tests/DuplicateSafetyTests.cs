using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>Nothing the server answers ever invites a second copy of a message, and no reply is handed out twice or lost.</summary>
/// <remarks>The exchanges, marks and send records are the store's part: those tests run on both stores.</remarks>
public sealed class DuplicateSafetyTests : OnEitherStore
{
    private Task StartAsync(string kind) => StartAsync(kind, new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl });

    private EmulatedTwilio Twilio => Factory.Twilio;

    [Theory, OnSqlite, OnPostgres]
    public async Task WhenReadingTheAnswerFailsAfterThePostTheAnswerIsPendingAndGetRepliesLaterDeliversIt(string store)
    {
        await StartAsync(store);
        Twilio.Intercept = r => Task.FromResult(r.Method == "GET" && r.Path.EndsWith("/Messages", StringComparison.Ordinal)
            ? TooManyRequests()
            : null);

        var response = await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "Where is my order?"));

        await JsonAssert.BodyEqualAsync($$"""{"status": "pending", "replies": [], "message": "{{AgentReplies.TwilioFailed}}"}""", response);
        Twilio.Intercept = null;
        Twilio.AgentSays(Sid, "It ships today.");
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["It ships today."]}""", await Client.GetAsync("/replies/alice"));
        Assert.Single(UserMessages());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task TheSameIdempotencyKeyNeverPostsTwiceAndReturnsTheSameExchange(string store)
    {
        await StartAsync(store);
        Twilio.AutoReply = true;

        var first = await SendAsync("alice", "Where is my order?", "key-0001");
        var again = await SendAsync("alice", "Where is my order?", "key-0001");

        var expected = $$"""{"status": "replied", "replies": ["{{EmulatedTwilio.AutoReplyTo("Where is my order?")}}"]}""";
        await JsonAssert.BodyEqualAsync(expected, first);
        await JsonAssert.BodyEqualAsync(expected, again);
        Assert.Single(UserMessages());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ARepeatAfterAPendingAnswerWaitsForTheSameExchangeWithoutPostingAgain(string store)
    {
        await StartAsync(store);
        var pending = await SendAsync("alice", "Hello?", "key-0002");
        Twilio.AgentSays(Sid, "Sorry, I was away.");

        var again = await SendAsync("alice", "Hello?", "key-0002");

        Assert.Contains("\"pending\"", await pending.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Sorry, I was away."]}""", again);
        Assert.Single(UserMessages());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ConcurrentCallsWithOneIdempotencyKeyPostOnce(string store)
    {
        await StartAsync(store);
        Twilio.AutoReply = true;

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => SendAsync("alice", "Once only", "key-0003")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(UserMessages());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task APostInterruptedAfterTwilioTookItIsFoundNotMadeAgainWhenTheCallIsRepeated(string store)
    {
        await StartAsync(store);
        Twilio.FailAfterApplying = r => r.Method == "POST" && r.Path.EndsWith("/Messages", StringComparison.Ordinal);
        Twilio.Intercept = r => Task.FromResult(r.Method == "GET" && r.Path.EndsWith("/Messages", StringComparison.Ordinal)
            ? EmulatedTwilio.Error(HttpStatusCode.ServiceUnavailable, 20503, "Service unavailable")
            : null);

        var failed = await SendAsync("alice", "Are you there?", "key-0004");
        Twilio.FailAfterApplying = null;
        Twilio.Intercept = null;
        Twilio.AutoReply = true;
        var repeated = await SendAsync("alice", "Are you there?", "key-0004");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Single(UserMessages());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task TheSameKeyWithAnotherMessageIsRefusedWith422(string store)
    {
        await StartAsync(store);
        Twilio.AutoReply = true;
        await SendAsync("alice", "First message", "key-0005");

        var other = await SendAsync("alice", "Another message", "key-0005");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Single(UserMessages());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task TheSameKeyForAnotherUserIsAnotherExchange(string store)
    {
        await StartAsync(store);
        Twilio.AutoReply = true;

        await SendAsync("alice", "Hi", "key-0006");
        await SendAsync("bob", "Hi", "key-0006");

        Assert.Equal(2, Twilio.Conversations.Count);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AKeyOlderThanADayIsANewExchange(string store)
    {
        await StartAsync(store);
        Twilio.AutoReply = true;
        await SendAsync("alice", "Hi", "key-0007");

        Factory.Clock.Advance(TimeSpan.FromHours(25));
        await SendAsync("alice", "Hi", "key-0007");

        Assert.Equal(2, UserMessages().Count);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    public async Task AMalformedIdempotencyKeyIsRefusedNamingTheHeader(string key)
    {
        await StartAsync(TestStore.Sqlite);
        var request = new HttpRequestMessage(HttpMethod.Post, "/send/alice") { Content = JsonContent.Create(new { msg = "Hi" }) };
        request.Headers.TryAddWithoutValidation(GptActionEndpoints.IdempotencyKeyHeader, key.Length == 0 ? new string('k', 256) : key);

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![GptActionEndpoints.IdempotencyKeyHeader]);
        Assert.Empty(Twilio.Requests);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task RepliesReadWhileTheAgentWritesAreEachHandedOutOnceAndInOrder(string store)
    {
        var testStore = await UseStoreAsync(store);
        using var polling = new PluginFactory(testStore.Settings());
        polling.Twilio.Behavior.OffsetPaging = true;
        var send = PluginFactory.SendAsync(polling.CreateClient(), "alice", "Tell me everything");
        await polling.Clock.WaitForArmedTimerAsync();
        var sid = polling.Twilio.Conversations.Single().Sid;
        var parts = Enumerable.Range(1, 13).Select(i => $"part {i}").ToList();
        parts.ForEach(part => polling.Twilio.AgentSays(sid, part));
        polling.Twilio.Intercept = r =>
        {
            if (r.Method == "GET" && r.Query.GetValueOrDefault("Page") == "1")
            {
                polling.Twilio.Intercept = null;
                polling.Twilio.AgentSays(sid, "part 14");
            }

            return Task.FromResult<HttpResponseMessage?>(null);
        };

        var response = await polling.Clock.RunUntilDoneAsync(send);

        var replies = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["replies"]!.AsArray().Select(r => (string)r!).ToList();
        Assert.Equal(parts, replies);
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["part 14"]}""", await polling.CreateClient().GetAsync("/replies/alice"));
    }

    [Fact]
    public async Task RepliesWhoseAnswerCouldNotBeWrittenBecauseTheCallerHungUpAreHandedOutAgain()
    {
        using var hangUp = new CancellationTokenSource();
        using var hanging = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl })
        {
            TestServices = services =>
            {
                services.AddHttpContextAccessor();
                services.AddSingleton<IConversationStore>(provider => new HangUpAfterHandingOut(
                    provider.GetRequiredService<FlexAgentPlugin.Backends.Sqlite.SqliteStore>(), provider.GetRequiredService<IHttpContextAccessor>(), hangUp, "/replies"));
            },
        };
        var hangingClient = hanging.CreateClient();
        await hanging.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(hangingClient, "alice", "Hi"));
        hanging.Twilio.AgentSays(hanging.Twilio.Conversations.Single().Sid, "Here is your answer.");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hangingClient.GetAsync("/replies/alice", hangUp.Token));

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Here is your answer."]}""", await hangingClient.GetAsync("/replies/alice"));
    }

    [Fact]
    public async Task ASendWithAnIdempotencyKeyCountsOnceAgainstTheUsersLimit()
    {
        using var limited = new PluginFactory(new Dictionary<string, string?> { ["RATE_LIMIT_PER_USER"] = "2" });
        limited.Twilio.AutoReply = true;
        var client = limited.CreateClient();

        var first = await limited.Clock.RunUntilDoneAsync(client.SendAsync(Keyed("alice", "Where is my order?", "key-0101")));
        var second = await limited.Clock.RunUntilDoneAsync(client.SendAsync(Keyed("alice", "And my refund?", "key-0102")));
        var third = await client.GetAsync("/replies/alice");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((HttpStatusCode)429, third.StatusCode);
    }

    private string Sid => Twilio.Conversations.Single().Sid;

    private List<string?> UserMessages() => [.. Twilio.Conversations.SelectMany(c => c.Messages).Where(m => !m.FromAgent).Select(m => m.Body)];

    private async Task<HttpResponseMessage> SendAsync(string username, string msg, string idempotencyKey) =>
        await Factory.Clock.RunUntilDoneAsync(Client.SendAsync(Keyed(username, msg, idempotencyKey)));

    private static HttpRequestMessage Keyed(string username, string msg, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/send/{username}") { Content = JsonContent.Create(new { msg }) };
        request.Headers.Add(GptActionEndpoints.IdempotencyKeyHeader, idempotencyKey);
        return request;
    }

    private static HttpResponseMessage TooManyRequests()
    {
        var response = EmulatedTwilio.Error((HttpStatusCode)429, 20429, "Too Many Requests");
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
        return response;
    }
}
