using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Many calls at once for one user (the per-user limit raised): each returns by its timeout, whatever else waits for the
/// same user, and each reply still reaches exactly one of them.
/// </summary>
public sealed class ManyCallsForOneUserTests : OnEitherStore
{
    private const int Calls = 200;
    private const int TimeoutSeconds = 12;

    /// <summary>
    /// How late on the clock a call may end: a call busy when the test moved the clock (to a window's end, never past
    /// the timeout) set its timer from the new time, up to a second late.
    /// </summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    [Theory, OnSqlite, OnPostgres]
    public async Task TwoHundredSendsForOneUserEachReturnByTheTimeoutAndEachReplyReachesOneOfThem(string store)
    {
        var testStore = await UseStoreAsync(store);
        var settings = testStore.Settings(new Dictionary<string, string?>
        {
            ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl,
            ["REPLY_TIMEOUT_SECONDS"] = $"{TimeoutSeconds}",
            ["RATE_LIMIT_PER_USER"] = "1000",
            ["RATE_LIMIT_PER_ADDRESS"] = "1000",
        });
        if (settings.TryGetValue("DATABASE_URL", out var url))
        {
            // A small share of the server's 100 connections: the other tests on the server need theirs.
            settings["DATABASE_URL"] = url + ";Maximum Pool Size=20";
        }

        using var factory = new PluginFactory(settings);
        using var client = factory.CreateClient();
        var twilio = factory.Twilio;
        twilio.DeliversWebhooks = false;
        var started = factory.Clock.GetUtcNow();
        var sends = Enumerable.Range(1, Calls).Select(i => PluginFactory.SendAsync(client, "alice", $"Question {i}")).ToList();
        var deadline = started + TimeSpan.FromSeconds(TimeoutSeconds);
        await AtTwilioPaceAsync(factory.Clock, deadline, twilio.WaitUntilAsync(() => twilio.Conversations.Count == 1 && twilio.Conversations[0].Messages.Count == Calls));
        var sid = twilio.Conversations[0].Sid;

        for (var reply = 1; reply <= 3; reply++)
        {
            var waiting = sends.Where(s => !s.IsCompleted).ToList();
            twilio.AgentSays(sid, $"Reply {reply}");
            await factory.PostEventAsync(client, ("EventType", "onMessageAdded"), ("ConversationSid", sid), ("Author", EmulatedTwilio.AgentIdentity));
            await AtTwilioPaceAsync(factory.Clock, deadline, Task.WhenAny(waiting).WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.True(factory.Clock.GetUtcNow() < deadline, "The test moved the clock past the calls' timeout before they were answered.");
        var byTheTimeout = deadline + Margin;
        await factory.Clock.WaitForArmedTimersAsync(sends.Count(s => !s.IsCompleted), t => t.DueAt >= deadline && t.DueAt <= byTheTimeout);
        factory.Clock.Advance(byTheTimeout - factory.Clock.GetUtcNow());
        var watch = Stopwatch.StartNew();
        var answers = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"The calls returned {watch.Elapsed.TotalSeconds:F1} s after their timeout.");
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        var replies = new List<string>();
        foreach (var answer in answers)
        {
            replies.AddRange((await answer.Content.ReadFromJsonAsync<JsonObject>())!["replies"]!.AsArray().Select(r => (string)r!));
        }

        Assert.Equal(["Reply 1", "Reply 2", "Reply 3"], replies.Order());
        Assert.Equal(Calls, twilio.Conversations.Single().Messages.Count(m => !m.FromAgent));
    }

    [Fact]
    public async Task TheUsersOwnUnansweredMessagesAreReadBackOnceNotAtEveryLook()
    {
        await StartAsync(TestStore.Sqlite, new Dictionary<string, string?>
        {
            ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl,
            ["REPLY_TIMEOUT_SECONDS"] = $"{TimeoutSeconds}",
            ["RATE_LIMIT_PER_USER"] = "1000",
        });
        Factory.Twilio.DeliversWebhooks = false;
        var sends = Enumerable.Range(1, 35).Select(i => PluginFactory.SendAsync(Client, "alice", $"Question {i}")).ToList();
        await Factory.Twilio.WaitUntilAsync(() => Factory.Twilio.Conversations.Sum(c => c.Messages.Count) == sends.Count);
        Factory.Clock.Advance(TimeSpan.FromSeconds(TimeoutSeconds));
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(10));
        var readsBefore = Factory.Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages");

        var look = await Client.GetAsync("/replies/alice?waitSeconds=0");

        Assert.Equal("pending", (string?)(await look.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
        Assert.Equal(1, Factory.Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages") - readsBefore);
    }

    /// <summary>
    /// Waits for <paramref name="work"/>. With the shared store, Twilio's pace on a conversation (30 actions a second) is
    /// counted on the server's clock: the clock moves to the end of each window that calls to Twilio wait for (never to
    /// <paramref name="deadline"/>, the calls' own timeout).
    /// </summary>
    private static async Task AtTwilioPaceAsync(ManualClock clock, DateTimeOffset deadline, Task work)
    {
        while (!work.IsCompleted)
        {
            var window = clock.WaitForTimerAsync(t => t.DueAt <= clock.GetUtcNow() + TimeSpan.FromSeconds(1) && t.DueAt < deadline, TimeSpan.FromSeconds(30));
            if (await Task.WhenAny(work, window) == window)
            {
                clock.Advance((await window).DueAt - clock.GetUtcNow());
            }
        }

        await work;
    }
}
