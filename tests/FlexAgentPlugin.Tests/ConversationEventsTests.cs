using System.Net;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>With a public URL, Twilio's signed conversation events wake waiting requests at once.</summary>
public sealed class ConversationEventsTests : IDisposable
{
    public const string PublicUrl = "https://abc123.ngrok.app";

    private readonly PluginFactory factory = new(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = PublicUrl });
    private readonly HttpClient client;

    public ConversationEventsTests() => client = factory.CreateClient();

    private EmulatedTwilio Twilio => factory.Twilio;

    [Fact]
    public async Task NewConversationSubscribesTheEventWebhook()
    {
        await ExchangeAsync("Hi", "Hello!");

        var webhook = Assert.Single(Twilio.Requests, r => r.Path.EndsWith("/Webhooks", StringComparison.Ordinal) && r.Form1("Target") == "webhook");
        Assert.Equal(
        [
            new("Target", "webhook"), new("Configuration.Url", $"{PublicUrl}/twilio/conversation-events"),
            new("Configuration.Method", "post"),
            new("Configuration.Filters", "onMessageAdded"), new("Configuration.Filters", "onConversationStateUpdated"),
        ], webhook.Form);
    }

    [Fact]
    public async Task AgentMessageEventWakesTheWaitWithoutWaitingForThePoll()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();
        var startedAt = factory.Clock.GetUtcNow();
        Twilio.AgentSays(Sid, "Hello!");

        var delivered = await factory.PostEventAsync(client, MessageAdded(EmulatedTwilio.AgentIdentity));
        var response = await send.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Hello!"]}""", response);
        Assert.Equal(startedAt, factory.Clock.GetUtcNow());
        Assert.Equal(1, Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages"));
    }

    [Fact]
    public async Task UsersOwnMessageComingBackDoesNotWakeTheWait()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();

        await factory.PostEventAsync(client, MessageAdded("alice"));
        await Task.Delay(200);

        Assert.False(send.IsCompleted);
        Assert.Equal(0, Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages"));
        Twilio.AgentSays(Sid, "Hello!");
        await factory.PostEventAsync(client, MessageAdded(EmulatedTwilio.AgentIdentity));
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Hello!"]}""", await send.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ReturningUserCostsTwoTwilioCallsPerExchange()
    {
        await ExchangeAsync("First question", "First answer");
        var before = Twilio.Requests.Count;

        await ExchangeAsync("Second question", "Second answer");

        var spent = Twilio.Requests.Skip(before).Select(r => $"{r.Method} {(r.Path.EndsWith("/Messages", StringComparison.Ordinal) ? "Messages" : r.Path)}");
        Assert.Equal(["POST Messages", "GET Messages"], spent);
    }

    [Fact]
    public async Task ClosedStateEventEndsTheWaitAndTheNextMessageStartsANewConversation()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();
        var first = Sid;
        Twilio.Close(first);

        await factory.PostEventAsync(client, ("EventType", "onConversationStateUpdated"), ("ConversationSid", first),
            ("StateFrom", "active"), ("StateTo", "closed"));

        await JsonAssert.BodyEqualAsync("""{"status": "closed", "replies": []}""", await send.WaitAsync(TimeSpan.FromSeconds(10)));
        var next = PluginFactory.SendAsync(client, "alice", "Me again");
        await factory.Clock.WaitForArmedTimerAsync();
        Assert.Equal(2, Twilio.Count("POST", "/v1/Conversations"));
        Assert.Equal(0, Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+"));
        Assert.Equal(1, Twilio.Count("POST", $"/v1/Conversations/{first}/Messages"));
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task ConversationGoneOnPostIsReplacedAndTheMessageStillGoesThrough()
    {
        await ExchangeAsync("Hi", "Hello!");
        var first = Sid;
        Twilio.Delete(first);

        var reply = await ExchangeAsync("Me again", "Welcome back");

        Assert.Equal("""{"status":"replied","replies":["Welcome back"],"messages":[{"text":"Welcome back","source":"agent"}]}""", reply);
        Assert.NotEqual(first, Sid);
        Assert.Equal("Me again", Twilio.Conversations.Single().Messages[0].Body);
    }

    [Fact]
    public async Task UnsignedEventIsRefused()
    {
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, "/twilio/conversation-events")
        {
            Content = new FormUrlEncodedContent([new("EventType", "onMessageAdded"), new("ConversationSid", "CH1")]),
        };

        var response = await client.SendAsync(unsigned);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task EventSignedWithAnotherTokenIsRefused()
    {
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/twilio/conversation-events")
        {
            Content = new FormUrlEncodedContent([new("EventType", "onMessageAdded"), new("ConversationSid", "CH1")]),
        };
        forged.Headers.Add("X-Twilio-Signature", RequestSigner.Sign("not-the-token",
            $"{PublicUrl}/twilio/conversation-events", [new("EventType", "onMessageAdded"), new("ConversationSid", "CH1")]));

        var response = await client.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task EventSignedByTwilioIsAccepted()
    {
        var response = await factory.PostEventAsync(client, ("EventType", "onMessageAdded"), ("ConversationSid", "CH1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WithWebhooksAWaitLooksForALostOneLessAndLessOftenUpToEightPollIntervalsApart()
    {
        using var patient = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = PublicUrl, ["REPLY_TIMEOUT_SECONDS"] = "0" });

        Assert.Equal([15, 45, 105, 225, 345, 465], await LookTimesAsync(patient, looks: 6));
    }

    [Fact]
    public async Task WithoutWebhooksAWaitLooksEveryPollInterval()
    {
        using var patient = new PluginFactory(new Dictionary<string, string?> { ["REPLY_TIMEOUT_SECONDS"] = "0" });

        Assert.Equal([15, 30, 45, 60, 75, 90], await LookTimesAsync(patient, looks: 6));
    }

    public void Dispose() => factory.Dispose();

    /// <summary>
    /// When (seconds after it began) a waiting call with no answer coming looks at the conversation: it arms its next
    /// timer only after a look, so each timer it arms, moved to, is a look (a read from Twilio) to come.
    /// </summary>
    private static async Task<List<double>> LookTimesAsync(PluginFactory server, int looks)
    {
        var started = server.Clock.GetUtcNow();
        _ = PluginFactory.SendAsync(server.CreateClient(), "alice", "Hi");
        int Reads() => server.Twilio.Requests.Count(r => r.Method == "GET");
        var timer = await server.Clock.WaitForArmedTimerAsync();
        var times = new List<double>();
        for (var look = 0; look < looks; look++)
        {
            var reads = Reads();
            var due = timer.DueAt;
            server.Clock.Advance(due - server.Clock.GetUtcNow());
            timer = await server.Clock.WaitForArmedTimerAsync();
            Assert.True(Reads() > reads, $"The wait should have looked at the conversation at {(due - started).TotalSeconds} s.");
            times.Add((due - started).TotalSeconds);
        }

        return times;
    }

    private string Sid => Twilio.Conversations.Single(c => c.State != "closed").Sid;

    private (string, string)[] MessageAdded(string author) =>
        [("EventType", "onMessageAdded"), ("ConversationSid", Sid), ("Author", author), ("Index", "9"), ("Body", "...")];

    private async Task<string> ExchangeAsync(string msg, string answer)
    {
        var send = PluginFactory.SendAsync(client, "alice", msg);
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Sid, answer);
        await factory.PostEventAsync(client, MessageAdded(EmulatedTwilio.AgentIdentity));
        var response = await send.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
