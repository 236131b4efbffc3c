using System.Net;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>Every agent message reaches the caller exactly once, in order, across /send, /replies, timeouts and restarts.</summary>
/// <remarks>Each runs on both stores: the marks and rows it relies on are the store's part.</remarks>
public sealed class ExactlyOnceTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Webhooks = new() { ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl };

    private TestStore? testStore;
    private PluginFactory factory = null!;
    private HttpClient client = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync(string kind)
    {
        testStore = await TestStore.CreateAsync(kind);
        factory = new PluginFactory(testStore.Settings(Webhooks));
        client = factory.CreateClient();

        // These tests post each conversation event themselves, when the moment they test for has come.
        factory.Twilio.DeliversWebhooks = false;
    }

    private EmulatedTwilio Twilio => factory.Twilio;

    [Theory, OnSqlite, OnPostgres]
    public async Task TimedOutSendAnswersPendingAndGetRepliesDeliversTheAnswer(string store)
    {
        await StartAsync(store);
        var pending = await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "alice", "Hi"));

        Assert.Equal(TimeSpan.FromSeconds(40), factory.Clock.GetUtcNow() - Start);
        await JsonAssert.BodyEqualAsync(PendingJson, pending);
        Twilio.AgentSays(Sid, "Sorry, I was away.");
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Sorry, I was away."]}""", await client.GetAsync("/replies/alice"));
        await JsonAssert.BodyEqualAsync(PendingJson, await client.GetAsync("/replies/alice"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ZeroReplyTimeoutWaitsAsLongAsTheAgentTakes(string store)
    {
        testStore = await TestStore.CreateAsync(store);
        using var patient = new PluginFactory(testStore.Settings(new Dictionary<string, string?>(Webhooks) { ["REPLY_TIMEOUT_SECONDS"] = "0" }));
        var patientClient = patient.CreateClient();
        var send = PluginFactory.SendAsync(patientClient, "alice", "Hi");

        for (var poll = 0; poll < 8; poll++)
        {
            var timer = await patient.Clock.WaitForArmedTimerAsync();
            patient.Clock.Advance(timer.DueAt - patient.Clock.GetUtcNow());
        }

        Assert.Equal(TimeSpan.FromMinutes(2), patient.Clock.GetUtcNow() - Start);
        Assert.False(send.IsCompleted);
        var sid = patient.Twilio.Conversations.Single().Sid;
        patient.Twilio.AgentSays(sid, "Finally!");
        await patient.PostEventAsync(patientClient, ("EventType", "onMessageAdded"), ("ConversationSid", sid), ("Author", EmulatedTwilio.AgentIdentity));
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Finally!"]}""", await send.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task GetRepliesWaitsForTheAgentWhenAsked(string store)
    {
        await StartAsync(store);
        await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "alice", "Hi"));

        var replies = client.GetAsync("/replies/alice?waitSeconds=30");
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Sid, "Here I am.");
        await factory.PostEventAsync(client, AgentMessageAdded());

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Here I am."]}""", await replies.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task GetRepliesNeverWaitsLongerThanTheReplyTimeout(string store)
    {
        await StartAsync(store);
        await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "alice", "Hi"));
        var asked = factory.Clock.GetUtcNow();

        var response = await factory.Clock.RunUntilDoneAsync(client.GetAsync("/replies/alice?waitSeconds=600"));

        await JsonAssert.BodyEqualAsync(PendingJson, response);
        Assert.Equal(TimeSpan.FromSeconds(40), factory.Clock.GetUtcNow() - asked);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task RepeatedAndReorderedEventsDeliverEachReplyOnceInOrder(string store)
    {
        await StartAsync(store);
        var send = PluginFactory.SendAsync(client, "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Sid, "A");
        Twilio.AgentSays(Sid, "B");

        await factory.PostEventAsync(client, AgentMessageAdded(index: 2));
        await factory.PostEventAsync(client, AgentMessageAdded(index: 1));
        await factory.PostEventAsync(client, AgentMessageAdded(index: 2));

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["A", "B"]}""", await send.WaitAsync(TimeSpan.FromSeconds(10)));
        await JsonAssert.BodyEqualAsync(PendingJson, await client.GetAsync("/replies/alice"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task MoreThanTenAgentMessagesAreAllDeliveredInOrder(string store)
    {
        await StartAsync(store);
        var send = PluginFactory.SendAsync(client, "alice", "Tell me everything");
        await factory.Clock.WaitForArmedTimerAsync();
        var parts = Enumerable.Range(1, 13).Select(i => $"part {i}").ToList();
        parts.ForEach(part => Twilio.AgentSays(Sid, part));

        await factory.PostEventAsync(client, AgentMessageAdded());

        var response = await send.WaitAsync(TimeSpan.FromSeconds(10));
        await JsonAssert.BodyEqualAsync($$"""{"status": "replied", "replies": [{{string.Join(", ", parts.Select(p => $"\"{p}\""))}}]}""", response);
        Assert.Equal(2, Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AnswerArrivingAfterATimeoutComesWithTheNextSend(string store)
    {
        await StartAsync(store);
        await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "alice", "First"));
        Twilio.AgentSays(Sid, "Answer to first");

        var send = PluginFactory.SendAsync(client, "alice", "Second");
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Sid, "Answer to second");
        await factory.PostEventAsync(client, AgentMessageAdded());

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Answer to first", "Answer to second"]}""",
            await send.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ConcurrentCallersNeverBothGetTheSameReply(string store)
    {
        await StartAsync(store);
        await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "alice", "Hi"));
        Twilio.AgentSays(Sid, "One");
        Twilio.AgentSays(Sid, "Two");

        var bodies = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ => await (await client.GetAsync("/replies/alice")).Content.ReadAsStringAsync()));

        Assert.Single(bodies, b => b == """{"status":"replied","replies":["One","Two"],"messages":[{"text":"One","source":"agent"},{"text":"Two","source":"agent"}]}""");
        Assert.All(bodies.Where(b => !b.Contains("replied", StringComparison.Ordinal)), b => Assert.Contains("pending", b, StringComparison.Ordinal));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task DeliveryMarkSurvivesARestart(string store)
    {
        testStore = await TestStore.CreateAsync(store);
        var database = Path.Combine(Path.GetTempPath(), "flexagent-tests", Guid.NewGuid().ToString("N"), "convs.db");
        var settings = testStore.Settings(new Dictionary<string, string?>(Webhooks) { ["DATABASE_PATH"] = database });
        using var twilio = new EmulatedTwilio(PluginFactory.AccountSid, PluginFactory.AuthToken, TimeProvider.System);
        using (var before = new PluginFactory(settings, twilio))
        {
            var beforeClient = before.CreateClient();
            var send = PluginFactory.SendAsync(beforeClient, "alice", "Hi");
            await before.Clock.WaitForArmedTimerAsync();
            twilio.AgentSays(twilio.Conversations.Single().Sid, "Delivered before the restart");
            await before.PostEventAsync(beforeClient, ("EventType", "onMessageAdded"), ("ConversationSid", twilio.Conversations.Single().Sid), ("Author", EmulatedTwilio.AgentIdentity));
            await send.WaitAsync(TimeSpan.FromSeconds(10));
            twilio.AgentSays(twilio.Conversations.Single().Sid, "Written while the server was down");
        }

        using var after = new PluginFactory(settings, twilio);
        var afterClient = after.CreateClient();

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Written while the server was down"]}""", await afterClient.GetAsync("/replies/alice"));
        await JsonAssert.BodyEqualAsync(PendingJson, await afterClient.GetAsync("/replies/alice"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task RepliesForAnUnknownUserIs404(string store)
    {
        await StartAsync(store);
        var response = await client.GetAsync("/replies/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("sendMsg", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public async Task MalformedWaitSecondsIsRejectedNamingTheField(string waitSeconds)
    {
        await StartAsync(TestStore.Sqlite);
        await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "alice", "Hi"));

        var response = await client.GetAsync($"/replies/alice?waitSeconds={waitSeconds}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("waitSeconds", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        factory?.Dispose();
        if (testStore is not null)
        {
            await testStore.DisposeAsync();
        }
    }

    private const string PendingJson = """
        {"status": "pending", "replies": [],
         "message": "The agent has the message but has not answered yet. Call getReplies with the same username to fetch the answer."}
        """;

    private static DateTimeOffset Start => new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private string Sid => Twilio.Conversations.Single().Sid;

    private (string, string)[] AgentMessageAdded(int index = 1) =>
        [("EventType", "onMessageAdded"), ("ConversationSid", Sid), ("Author", EmulatedTwilio.AgentIdentity), ("Index", index.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
