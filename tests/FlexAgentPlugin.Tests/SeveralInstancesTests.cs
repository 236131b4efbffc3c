using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Backends.Postgres;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Two server instances on one PostgreSQL database (DATABASE_URL) and one Twilio: the guarantees that held in one process
/// hold across both. Each test has a database of its own.
/// </summary>
public sealed class SeveralInstancesTests : IAsyncLifetime
{
    private const string PublicUrl = "https://plugin.example.com";

    private PostgresDatabase database = null!;
    private EmulatedTwilio twilio = null!;
    private PluginFactory a = null!;
    private PluginFactory b = null!;

    public async Task InitializeAsync()
    {
        if (PostgresDatabase.Server is null)
        {
            return;
        }

        database = await PostgresDatabase.CreateAsync();
        a = Instance(twilio: null);
        twilio = a.Twilio;
        b = Instance(twilio);
        a.CreateClient().Dispose();
        b.CreateClient().Dispose();
    }

    [PostgresFact]
    public async Task AWebhookToInstanceAWakesTheCallerWaitingOnInstanceBWithoutAPoll()
    {
        twilio.DeliversWebhooks = false;
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();
        var send = PluginFactory.SendAsync(onB, "alice", "Hi, anyone there?");
        await b.Clock.WaitForArmedTimerAsync();
        var sid = twilio.Conversations.Single().Sid;

        twilio.AgentSays(sid, "Yes, I'm here.");
        var woken = await a.PostEventAsync(onA, ("EventType", "onMessageAdded"), ("ConversationSid", sid), ("Author", EmulatedTwilio.AgentIdentity));
        var response = await send.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, woken.StatusCode);
        Assert.Equal(["Yes, I'm here."], await RepliesAsync(response));
        Assert.True(b.Services.GetRequiredService<PostgresSignals>().WakeUpsFromOthers >= 1);
    }

    [PostgresFact]
    public async Task ABurstOfWebhooksToInstanceAWakesEveryCallerWaitingOnInstanceB()
    {
        twilio.DeliversWebhooks = false;
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();
        var users = Enumerable.Range(1, 20).Select(i => $"user{i:D2}").ToList();
        var sends = users.Select(user => PluginFactory.SendAsync(onB, user, $"Hello from {user}")).ToList();
        await twilio.WaitUntilAsync(() => twilio.Conversations.Count == users.Count && twilio.Conversations.All(c => c.Messages.Count > 0));

        foreach (var conversation in twilio.Conversations)
        {
            twilio.AgentSays(conversation.Sid, $"Answer in {conversation.Sid}");
        }

        var hooks = await Task.WhenAll(twilio.Conversations.Select(c =>
            a.PostEventAsync(onA, ("EventType", "onMessageAdded"), ("ConversationSid", c.Sid), ("Author", EmulatedTwilio.AgentIdentity))));
        var responses = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(hooks, hook => Assert.Equal(HttpStatusCode.OK, hook.StatusCode));
        foreach (var response in responses)
        {
            Assert.StartsWith("Answer in CH", Assert.Single(await RepliesAsync(response)), StringComparison.Ordinal);
        }

        Assert.True(b.Services.GetRequiredService<PostgresSignals>().WakeUpsFromOthers >= users.Count);
    }

    [PostgresFact]
    public async Task ConcurrentFirstMessagesOfOneUserOnBothInstancesMakeOneConversation()
    {
        twilio.AutoReply = true;
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();

        var sends = Enumerable.Range(0, 6).Select(i => PluginFactory.SendAsync(i % 2 == 0 ? onA : onB, "alice", $"First message {i}")).ToList();
        var answered = await Task.WhenAll(sends.Select(async s => await RunBothClocksAsync(s)));

        Assert.All(answered, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var conversation = Assert.Single(twilio.Conversations);
        Assert.Equal(6, conversation.Messages.Count(m => !m.FromAgent));
        Assert.Equal(1, twilio.Count("POST", "/v1/Conversations"));
    }

    [PostgresFact]
    public async Task ConcurrentHandoversOfOneConversationOnBothInstancesMakeOneInteraction()
    {
        var sid = twilio.AddConversation();
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();

        var calls = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? onA : onB).SendAsync(PluginFactory.HandoverRequest($"webhook:conversations__IS{new string('0', 32)}/{sid}", "whatsapp:+15551234567"))));

        Assert.All(calls, c => Assert.Equal(HttpStatusCode.OK, c.StatusCode));
        Assert.Single(twilio.Interactions);
        var interactionSids = await Task.WhenAll(calls.Select(async c => (string?)(await c.Content.ReadFromJsonAsync<JsonObject>())!["interactionSid"]));
        Assert.Single(interactionSids.Distinct());
    }

    [PostgresFact]
    public async Task RepliesFetchedAlternatelyFromBothInstancesArriveOnceEachAndInOrder()
    {
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();
        twilio.DeliversWebhooks = false;
        var first = PluginFactory.SendAsync(onA, "alice", "Tell me everything");
        await a.Clock.WaitForArmedTimerAsync();
        var sid = twilio.Conversations.Single().Sid;
        twilio.AgentSays(sid, "Reply 1");
        await a.PostEventAsync(onA, ("EventType", "onMessageAdded"), ("ConversationSid", sid), ("Author", EmulatedTwilio.AgentIdentity));
        var received = new List<string>(await RepliesAsync(await first.WaitAsync(TimeSpan.FromSeconds(10))));

        for (var i = 2; i <= 7; i++)
        {
            twilio.AgentSays(sid, $"Reply {i}");
            var instance = i % 2 == 0 ? b : a;
            var client = i % 2 == 0 ? onB : onA;
            received.AddRange(await RepliesAsync(await instance.Clock.RunUntilDoneAsync(client.GetAsync("/replies/alice"))));
        }

        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"Reply {i}"), received);
    }

    [PostgresFact]
    public async Task AfterTheListenersConnectionIsKilledItReconnectsAndNothingIsMissed()
    {
        twilio.DeliversWebhooks = false;
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();
        var signals = b.Services.GetRequiredService<PostgresSignals>();

        var killed = await database.ScalarAsync(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database.Name}' AND application_name = '{PostgresSignals.ListenerName}'");
        Assert.Equal(2L, killed);
        var send = PluginFactory.SendAsync(onB, "alice", "Are you there?");
        await b.Clock.WaitForArmedTimerAsync();
        var sid = twilio.Conversations.Single().Sid;
        for (var waited = 0; signals.Reconnects == 0 && waited < 100; waited++)
        {
            await Task.Delay(50);
        }

        twilio.AgentSays(sid, "Back again.");
        await a.PostEventAsync(onA, ("EventType", "onMessageAdded"), ("ConversationSid", sid), ("Author", EmulatedTwilio.AgentIdentity));
        var response = await send.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, signals.Reconnects);
        Assert.Equal(["Back again."], await RepliesAsync(response));
    }

    [PostgresFact]
    public async Task StoppingInstanceAAnswersItsCallersPendingAndInstanceBThenDeliversEveryReplyOnce()
    {
        twilio.DeliversWebhooks = false;
        using var onA = a.CreateClient();
        using var onB = b.CreateClient();
        var waiting = PluginFactory.SendAsync(onA, "alice", "Anyone?");
        await a.Clock.WaitForArmedTimerAsync();
        var sid = twilio.Conversations.Single().Sid;

        a.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var pending = await (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Content.ReadFromJsonAsync<JsonObject>();
        twilio.AgentSays(sid, "Here now.");
        twilio.AgentSays(sid, "How can I help?");
        var first = await RepliesAsync(await b.Clock.RunUntilDoneAsync(onB.GetAsync("/replies/alice")));
        var again = await b.Clock.RunUntilDoneAsync(onB.GetAsync("/replies/alice"));

        Assert.Equal("pending", (string?)pending!["status"]);
        Assert.Equal(["Here now.", "How can I help?"], first);
        Assert.Equal("pending", (string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
    }

    [PostgresFact]
    public async Task PooledConnectionsKilledUnderneathAreReplacedWithoutTheCallerNoticing()
    {
        twilio.AutoReply = true;
        using var onA = a.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await RunBothClocksAsync(PluginFactory.SendAsync(onA, "alice", "Before"))).StatusCode);

        var killed = (long)(await database.ScalarAsync(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database.Name}' AND application_name = 'flexagent' AND pid <> pg_backend_pid()"))!;
        Assert.True(killed >= 1, "The instances' pooled connections should have been there to kill.");
        var after = await RunBothClocksAsync(PluginFactory.SendAsync(onA, "alice", "After"));

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal([EmulatedTwilio.AutoReplyTo("After")], await RepliesAsync(after));
    }

    [PostgresFact]
    public async Task ThePerUserAndPerCallerLimitsHoldAcrossBothInstances()
    {
        using var c = Instance(twilio, new() { ["RATE_LIMIT_PER_USER"] = "4", ["RATE_LIMIT_PER_ADDRESS"] = "6" });
        using var d = Instance(twilio, new() { ["RATE_LIMIT_PER_USER"] = "4", ["RATE_LIMIT_PER_ADDRESS"] = "6" });
        using var onC = c.CreateClient();
        using var onD = d.CreateClient();

        // Alice's calls alternate between the instances: the fifth in the minute is over her limit, wherever it lands.
        var alice = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            alice.Add((await (i % 2 == 0 ? onC : onD).GetAsync("/replies/alice")).StatusCode);
        }

        // The same caller (one address) asking for other users: its seventh call is over the per-caller limit.
        var others = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            others.Add((await (i % 2 == 0 ? onC : onD).GetAsync($"/replies/user{i}")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], alice);
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], others);
    }

    public async Task DisposeAsync()
    {
        if (database is null)
        {
            return;
        }

        try
        {
            b.Dispose();
            a.Dispose();
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private PluginFactory Instance(EmulatedTwilio? twilio, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database.ConnectionString,
            ["PUBLIC_BASE_URL"] = PublicUrl,
            ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken,
            ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
            ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
            ["ROUTING_MODE"] = "studio",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new PluginFactory(settings, twilio);
    }

    /// <summary>Moves both instances' clocks while the call waits (each instance polls on its own clock).</summary>
    private async Task<HttpResponseMessage> RunBothClocksAsync(Task<HttpResponseMessage> work)
    {
        var onA = a.Clock.RunUntilDoneAsync(work);
        var onB = b.Clock.RunUntilDoneAsync(work);
        await Task.WhenAll(onA, onB);
        return await work;
    }

    private static async Task<IReadOnlyList<string>> RepliesAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonObject>())!["replies"]!.AsArray().Select(r => (string)r!)];
    }
}
