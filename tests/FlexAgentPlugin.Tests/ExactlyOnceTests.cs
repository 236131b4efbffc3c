using System.Net;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>Every agent message reaches the caller exactly once, in order, across /send, /replies, timeouts and restarts.</summary>
/// <remarks>Each runs on both stores: the marks and rows it relies on are the store's part.</remarks>
public sealed class ExactlyOnceTests : OnEitherStore
{
    private static readonly Dictionary<string, string?> Webhooks = new() { ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl };

    private async Task StartAsync(string kind)
    {
        await StartAsync(kind, Webhooks);

        // These tests post each conversation event themselves, when the moment they test for has come.
        Factory.Twilio.DeliversWebhooks = false;
    }

    private EmulatedTwilio Twilio => Factory.Twilio;

    [Theory, OnSqlite, OnPostgres]
    public async Task TimedOutSendAnswersPendingAndGetRepliesDeliversTheAnswer(string store)
    {
        await StartAsync(store);
        var pending = await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "Hi"));

        Assert.Equal(TimeSpan.FromSeconds(40), Factory.Clock.GetUtcNow() - Start);
        await JsonAssert.BodyEqualAsync(PendingJson, pending);
        Twilio.AgentSays(Sid, "Sorry, I was away.");
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Sorry, I was away."]}""", await Client.GetAsync("/replies/alice"));
        await JsonAssert.BodyEqualAsync(PendingJson, await Client.GetAsync("/replies/alice"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ZeroReplyTimeoutWaitsAsLongAsTheAgentTakes(string store)
    {
        var testStore = await UseStoreAsync(store);
        using var patient = new PluginFactory(testStore.Settings(new Dictionary<string, string?>(Webhooks) { ["REPLY_TIMEOUT_SECONDS"] = "0" }));
        var patientClient = patient.CreateClient();
        var send = PluginFactory.SendAsync(patientClient, "alice", "Hi");

        for (var poll = 0; poll < 8; poll++)
        {
            var timer = await patient.Clock.WaitForArmedTimerAsync();
            patient.Clock.Advance(timer.DueAt - patient.Clock.GetUtcNow());
        }

        // Eight looks for a lost webhook, further apart each time up to eight poll intervals: 15, 30, 60, then 120 s.
        Assert.Equal(TimeSpan.FromSeconds(15 + 30 + 60 + (5 * 120)), patient.Clock.GetUtcNow() - Start);
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
        await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "Hi"));

        var replies = Client.GetAsync("/replies/alice?waitSeconds=30");
        await Factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Sid, "Here I am.");
        await Factory.PostEventAsync(Client, AgentMessageAdded());

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Here I am."]}""", await replies.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task GetRepliesNeverWaitsLongerThanTheReplyTimeout(string store)
    {
        await StartAsync(store);
        await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "Hi"));
        var asked = Factory.Clock.GetUtcNow();

        var response = await Factory.Clock.RunUntilDoneAsync(Client.GetAsync("/replies/alice?waitSeconds=600"));

        await JsonAssert.BodyEqualAsync(PendingJson, response);
        Assert.Equal(TimeSpan.FromSeconds(40), Factory.Clock.GetUtcNow() - asked);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task RepeatedAndReorderedEventsDeliverEachReplyOnceInOrder(string store)
    {
        await StartAsync(store);
        var send = PluginFactory.SendAsync(Client, "alice", "Hi");
        await Factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Sid, "A");
        Twilio.AgentSays(Sid, "B");

        await Factory.PostEventAsync(Client, AgentMessageAdded(index: 2));
        await Factory.PostEventAsync(Client, AgentMessageAdded(index: 1));
        await Factory.PostEventAsync(Client, AgentMessageAdded(index: 2));

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["A", "B"]}""", await send.WaitAsync(TimeSpan.FromSeconds(10)));
        await JsonAssert.BodyEqualAsync(PendingJson, await Client.GetAsync("/replies/alice"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task MoreThanTenAgentMessagesAreAllDeliveredInOrder(string store)
    {
        await StartAsync(store);
        var send = PluginFactory.SendAsync(Client, "alice", "Tell me everything");
        await Factory.Clock.WaitForArmedTimerAsync();
        var parts = Enumerable.Range(1, 13).Select(i => $"part {i}").ToList();
        parts.ForEach(part => Twilio.AgentSays(Sid, part));

        await Factory.PostEventAsync(Client, AgentMessageAdded());

        var response = await send.WaitAsync(TimeSpan.FromSeconds(10));
        await JsonAssert.BodyEqualAsync($$"""{"status": "replied", "replies": [{{string.Join(", ", parts.Select(p => $"\"{p}\""))}}]}""", response);
        Assert.Equal(2, Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AnswerArrivingAfterATimeoutComesWithTheNextSend(string store)
    {
        await StartAsync(store);
        await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "First"));
        Twilio.AgentSays(Sid, "Answer to first");

        var send = PluginFactory.SendAsync(Client, "alice", "Second");
        await Factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Sid, "Answer to second");
        await Factory.PostEventAsync(Client, AgentMessageAdded());

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Answer to first", "Answer to second"]}""",
            await send.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ConcurrentCallersNeverBothGetTheSameReply(string store)
    {
        await StartAsync(store);
        await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "Hi"));
        Twilio.AgentSays(Sid, "One");
        Twilio.AgentSays(Sid, "Two");

        var bodies = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ => await (await Client.GetAsync("/replies/alice")).Content.ReadAsStringAsync()));

        Assert.Single(bodies, b => b == """{"status":"replied","replies":["One","Two"],"messages":[{"text":"One","source":"agent"},{"text":"Two","source":"agent"}]}""");
        Assert.All(bodies.Where(b => !b.Contains("replied", StringComparison.Ordinal)), b => Assert.Contains("pending", b, StringComparison.Ordinal));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task DeliveryMarkSurvivesARestart(string store)
    {
        var testStore = await UseStoreAsync(store);
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
        var response = await Client.GetAsync("/replies/nobody");

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
        await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "Hi"));

        var response = await Client.GetAsync($"/replies/alice?waitSeconds={waitSeconds}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("waitSeconds", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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
