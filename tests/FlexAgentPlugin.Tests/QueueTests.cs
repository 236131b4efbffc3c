using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Doors.Mcp;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// While the customer waits: their place in line and the wait to expect from TaskRouter's statistics (read once per
/// queue per interval, whoever asks), an answer at once when nobody is there, and the escalation of a long wait.
/// </summary>
public sealed class QueueTests : IDisposable
{
    public static readonly string EscalationQueue = "WQ" + new string('e', 32);

    private static readonly Dictionary<string, string?> Interactions = new()
    {
        ["CONV_FLOW"] = "",
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
        ["REPLY_TIMEOUT_SECONDS"] = "1",
        ["QUEUE_STATISTICS_SECONDS"] = "5",
    };

    private readonly List<PluginFactory> factories = [];

    public void Dispose()
    {
        foreach (var factory in factories)
        {
            factory.Dispose();
        }
    }

    private PluginFactory Start(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>(Interactions);
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        var factory = new PluginFactory(settings);
        factories.Add(factory);
        return factory;
    }

    private static async Task<JsonObject> RepliesAsync(PluginFactory factory, HttpClient client, string user)
    {
        // No wait, so no clock move: the place is read at the clock's time.
        var response = await client.GetAsync($"/replies/{user}?waitSeconds=0").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static int? Position(JsonObject answer) => (int?)answer["queue"]?["position"];

    [Fact]
    public async Task PositionsOfSeveralWaitingCustomersMoveUpAsTheAgentAnswers()
    {
        var factory = Start();
        var client = factory.CreateClient();
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            Assert.Contains("pending", await (await factory.SendAndWaitAsync(client, user, $"{user} needs help")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(new int?[] { 1, 2, 3 }, [Position(await RepliesAsync(factory, client, "alice")), Position(await RepliesAsync(factory, client, "bob")), Position(await RepliesAsync(factory, client, "carol"))]);

        var alice = factory.Twilio.Conversations[0].Sid;
        factory.Twilio.AgentJoins(alice);
        factory.Twilio.AgentSays(alice, "Hi Alice");
        factory.Clock.Advance(TimeSpan.FromSeconds(10));

        var carol = await RepliesAsync(factory, client, "carol");
        Assert.Equal(2, Position(carol));
        Assert.StartsWith("You are 2nd in line;", (string?)carol["message"], StringComparison.Ordinal);
        Assert.Equal(1, Position(await RepliesAsync(factory, client, "bob")));
        var answered = await RepliesAsync(factory, client, "alice");
        Assert.Equal("replied", (string?)answered["status"]);
        Assert.Null(answered["queue"]);
    }

    [Fact]
    public async Task WithStudioRoutingThePlaceComesFromTheTaskTheFlowMadeForTheConversation()
    {
        var factory = Start(new() { ["CONV_FLOW"] = PluginFactory.FlowSid, ["ROUTING_MODE"] = "studio" });
        var client = factory.CreateClient();
        await factory.SendAndWaitAsync(client, "alice", "alice needs help");
        await factory.SendAndWaitAsync(client, "bob", "bob needs help");
        factory.Clock.Advance(TimeSpan.FromSeconds(10));

        var bob = await RepliesAsync(factory, client, "bob");

        Assert.Empty(factory.Twilio.Interactions);
        Assert.Equal(factory.Twilio.Conversations[^1].Sid, (string?)JsonNode.Parse(factory.Twilio.State.Tasks()[^1].Attributes)!["conversationSid"]);
        Assert.Equal(2, Position(bob));
        Assert.StartsWith("You are 2nd in line", (string?)bob["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheExpectedWaitIsTheQueuesRecentAverageWaitForEachPlaceLessTheTimeWaited()
    {
        var factory = Start();
        var client = factory.CreateClient();
        await factory.SendAndWaitAsync(client, "alice", "first");
        factory.Clock.Advance(TimeSpan.FromSeconds(120));
        factory.Twilio.AgentJoins(factory.Twilio.Conversations.Single().Sid);
        await factory.SendAndWaitAsync(client, "bob", "second");
        await factory.SendAndWaitAsync(client, "carol", "third");
        factory.Clock.Advance(TimeSpan.FromSeconds(30));

        var answer = await RepliesAsync(factory, client, "carol");

        var tasks = factory.Twilio.State.Tasks();
        var average = (int)(tasks[0].Accepted!.Value - tasks[0].Created).TotalSeconds;
        var waited = (int)(factory.Clock.GetUtcNow() - tasks[2].Created).TotalSeconds;
        Assert.InRange(average, 120, 125);
        Assert.Equal(2 * average - waited, (int?)answer["queue"]?["expected_wait_seconds"]);
        Assert.Equal($"You are 2nd in line; an agent usually answers within about {QueueWords.Duration(2 * average - waited)}. {AgentReplies.NotAnsweredYet}",
            (string?)answer["message"]);
    }

    [Fact]
    public async Task AnMcpClientWaitingHearsItsPlaceInWordsWithTheWaitToExpectInTotal()
    {
        var factory = Start();
        await factory.SendAndWaitAsync(factory.CreateClient(), "alice", "first");
        factory.Clock.Advance(TimeSpan.FromSeconds(120));
        factory.Twilio.AgentJoins(factory.Twilio.Conversations.Single().Sid);
        await using var mcp = await McpConnection.ConnectAsync(factory);
        var heard = new TaskCompletionSource<ProgressNotificationValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = factory.Clock.GetUtcNow();

        var call = mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "second", ["user"] = "bob" }, new Heard(heard)).AsTask();
        await factory.Clock.AdvanceToAsync(start + HumanAgentTools.ProgressInterval);
        var progress = await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var tasks = factory.Twilio.State.Tasks();
        var average = (int)(tasks[0].Accepted!.Value - tasks[0].Created).TotalSeconds;
        var expected = average - (int)(factory.Clock.GetUtcNow() - tasks[1].Created).TotalSeconds;
        Assert.Equal($"You are next in line; an agent usually answers within about {QueueWords.Duration(expected)}.", progress.Message);
        Assert.Equal(10f, progress.Progress);
        Assert.Equal(10f + expected, progress.Total);
        factory.Twilio.AgentSays(factory.Twilio.Conversations[^1].Sid, "Hi Bob");
        Assert.Equal(["Hi Bob"], (await factory.Clock.RunUntilDoneAsync(call)).Replies());
    }

    private sealed class Heard(TaskCompletionSource<ProgressNotificationValue> first) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => first.TrySetResult(value);
    }

    [Fact]
    public async Task StatisticsAreReadOncePerQueuePerIntervalHoweverManyCustomersWait()
    {
        var factory = Start();
        var client = factory.CreateClient();
        var users = Enumerable.Range(0, 12).Select(i => $"customer-{i:00}").ToList();
        foreach (var user in users)
        {
            await factory.SendAndWaitAsync(client, user, "hello");
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        var before = Reads(factory);
        var answers = await Task.WhenAll(users.Select(user => RepliesAsync(factory, client, user)));
        var during = Minus(Reads(factory), before);
        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        await Task.WhenAll(users.Select(user => RepliesAsync(factory, client, user)));

        Assert.Equal(Enumerable.Range(1, 12), answers.Select(a => Position(a) ?? 0).Order());
        Assert.Equal((Tasks: 1, RealTime: 1, Cumulative: 1), during);
        Assert.Equal((Tasks: 1, RealTime: 1, Cumulative: 1), Minus(Minus(Reads(factory), before), during));
    }

    [Fact]
    public async Task NobodyAvailableIsSaidAtOnceAndTheReplyIsDeliveredLater()
    {
        var factory = Start(new() { ["REPLY_TIMEOUT_SECONDS"] = "40" });
        var client = factory.CreateClient();
        factory.Twilio.Behavior.AgentsAway = true;

        // No clock move: the answer comes without waiting out REPLY_TIMEOUT_SECONDS.
        var response = await PluginFactory.SendAsync(client, "alice", "Is anyone there?").WaitAsync(TimeSpan.FromSeconds(10));

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("pending", (string?)answer["status"]);
        Assert.Equal($"No agent is available right now; one will answer as soon as an agent is back. {AgentReplies.NobodyAvailable}", (string?)answer["message"]);
        var conversation = factory.Twilio.Conversations.Single();
        Assert.Equal(["Is anyone there?"], conversation.Messages.Select(m => m.Body));

        factory.Twilio.Behavior.AgentsAway = false;
        factory.Twilio.AgentSays(conversation.Sid, "Back now, how can I help?");
        var later = await RepliesAsync(factory, client, "alice");
        Assert.Equal("replied", (string?)later["status"]);
        Assert.Equal("Back now, how can I help?", (string?)later["replies"]![0]);
    }

    [Fact]
    public async Task OutsideBusinessHoursTheAnswerSaysWhenAgentsAreBack()
    {
        // The clock starts on Thursday 1 January 2026 at 12:00 UTC, 07:00 in New York.
        var factory = Start(new() { ["BUSINESS_HOURS"] = "Mon-Fri 09:00-17:00 America/New_York", ["REPLY_TIMEOUT_SECONDS"] = "40" });
        var client = factory.CreateClient();

        var response = await PluginFactory.SendAsync(client, "alice", "Hello?").WaitAsync(TimeSpan.FromSeconds(10));

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal($"No agent is available right now; agents are back Thursday 09:00 (America/New_York), in about 2 hours. {AgentReplies.NobodyAvailable}",
            (string?)answer["message"]);
    }

    [Fact]
    public async Task AStatisticsFailureNeverFailsTheCallTheAnswerJustLacksQueue()
    {
        var factory = Start();
        var client = factory.CreateClient();
        factory.Twilio.Intercept = r => Task.FromResult(r.Api == "taskrouter" ? EmulatedTwilio.Error(HttpStatusCode.InternalServerError, 20500, "Internal error") : null);

        var sent = await factory.SendAndWaitAsync(client, "alice", "hello");
        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        var replies = await factory.Clock.RunUntilDoneAsync(client.GetAsync("/replies/alice?waitSeconds=0"));

        await JsonAssert.BodyEqualAsync($$"""{"status": "pending", "replies": [], "message": "{{AgentReplies.NotAnsweredYet}}"}""", sent);
        await JsonAssert.BodyEqualAsync($$"""{"status": "pending", "replies": [], "message": "{{AgentReplies.NotAnsweredYet}}"}""", replies);
        Assert.Contains(factory.Twilio.Requests, r => r.Api == "taskrouter");
    }

    [Fact]
    public async Task ATaskUnansweredTooLongIsEscalatedOnceWithTheTargetInItsAttributes()
    {
        var factory = Start(new() { ["ESCALATE_AFTER_SECONDS"] = "60", ["ESCALATE_TO_QUEUE_SID"] = EscalationQueue });
        var client = factory.CreateClient();
        await factory.SendAndWaitAsync(client, "alice", "still waiting");
        var escalated = factory.Twilio.WaitForRequestAsync(r => r.Method == "POST" && r.Api == "taskrouter");

        for (var tick = 0; tick < 30; tick++)
        {
            await factory.Clock.WaitForArmedTimerAsync();
            factory.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        var update = await escalated;
        var task = factory.Twilio.State.Tasks().Single();
        Assert.Equal($"/v1/Workspaces/{PluginFactory.WorkspaceSid}/Tasks/{task.Sid}", update.Path);
        var attributes = JsonNode.Parse(task.Attributes)!;
        Assert.Equal(EscalationQueue, (string?)attributes["escalation"]?["queue_sid"]);
        Assert.Equal(60, (int?)attributes["escalation"]?["after_seconds"]);
        Assert.Equal(factory.Twilio.Conversations.Single().Sid, (string?)attributes["conversationSid"]);
        Assert.Equal(EscalationQueue, task.QueueSid);
        Assert.Equal(1, factory.Twilio.Requests.Count(r => r.Method == "POST" && r.Api == "taskrouter"));
    }

    [Fact]
    public async Task WhatTheCustomerWasLastToldIsRecordedAndShownOnTheAgentsContextCard()
    {
        const string agentKey = "agent-key-0123456789abcdef";
        var factory = Start(new() { ["VOICE_AGENT_KEYS"] = $"desk={agentKey}" });
        var client = factory.CreateClient();
        await factory.SendAndWaitAsync(client, "alice", "hello");
        await factory.SendAndWaitAsync(client, "bob", "hello");
        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        await RepliesAsync(factory, client, "bob");

        var notices = factory.Services.GetRequiredService<IQueueNotices>();
        var told = await notices.LastToldAsync(factory.Twilio.Conversations[^1].Sid, CancellationToken.None);

        var agent = factory.CreateClient();
        agent.DefaultRequestHeaders.Authorization = new("Bearer", agentKey);
        var card = JsonNode.Parse(await agent.GetStringAsync($"/agent/conversations/{factory.Twilio.Conversations[^1].Sid}/context"))!;

        Assert.Equal(new QueueNotice(2, null, factory.Clock.GetUtcNow()), told);
        Assert.Null(await notices.LastToldAsync(SandboxAccount.WorkflowSid, CancellationToken.None));
        Assert.Equal(2, (int?)card["queue"]?["position"]);
        Assert.Null(card["queue"]?["expected_wait_seconds"]);
        Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime, (DateTime?)card["queue"]?["told_at"]);
    }

    [Fact]
    public async Task InTheSandboxAWaitingCustomerHearsTheirPlaceAndTheConsoleCanMarkTheAgentsAway()
    {
        using var sandbox = PluginFactory.Sandbox(new Dictionary<string, string?> { ["OAUTH"] = "off", ["REPLY_TIMEOUT_SECONDS"] = "1" });
        var client = sandbox.CreateClient();
        await sandbox.SendAndWaitAsync(client, "alice", "hello");
        sandbox.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, Position(await RepliesAsync(sandbox, client, "alice")));

        var marked = await client.PostAsJsonAsync("/sandbox/api/agent-status", new { away = true });
        var emulator = sandbox.CreateSandboxEmulatorClient();
        var statistics = JsonNode.Parse(await emulator.GetStringAsync(
            $"/sandbox/taskrouter/v1/Workspaces/{SandboxAccount.WorkspaceSid}/TaskQueues/{SandboxAccount.TaskQueueSid}/RealTimeStatistics"))!;
        sandbox.Clock.Advance(TimeSpan.FromSeconds(10));
        var response = await PluginFactory.SendAsync(client, "bob", "Anyone?").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, marked.StatusCode);
        Assert.Equal(0, (int?)statistics["total_available_workers"]);
        Assert.Equal(1, (int?)statistics["tasks_by_status"]?["pending"]);
        Assert.StartsWith("No agent is available right now", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("QUEUE_STATISTICS_SECONDS", "often")]
    [InlineData("QUEUE_STATISTICS_SECONDS", "5000")]
    [InlineData("BUSINESS_HOURS", "weekdays 9 to 5")]
    [InlineData("BUSINESS_HOURS", "Mon-Fri 09:00-17:00 Mars/Olympus_Mons")]
    [InlineData("ESCALATE_AFTER_SECONDS", "-1")]
    [InlineData("ESCALATE_TO_QUEUE_SID", "queue-7")]
    public void AMalformedQueueSettingStopsTheStartNamingIt(string variable, string value) =>
        Assert.Contains(ConfigurationTests.StartFailures(new Dictionary<string, string?> { [variable] = value }),
            f => f.Contains(variable, StringComparison.Ordinal));

    [Fact]
    public void AnEscalationWithoutItsTargetQueueStopsTheStartNamingTheQueueSetting() =>
        Assert.Contains(ConfigurationTests.StartFailures(new Dictionary<string, string?>(Interactions) { ["ESCALATE_AFTER_SECONDS"] = "300" }),
            f => f.Contains("ESCALATE_TO_QUEUE_SID", StringComparison.Ordinal));

    private static (int Tasks, int RealTime, int Cumulative) Minus((int Tasks, int RealTime, int Cumulative) a, (int Tasks, int RealTime, int Cumulative) b) =>
        (a.Tasks - b.Tasks, a.RealTime - b.RealTime, a.Cumulative - b.Cumulative);

    private static (int Tasks, int RealTime, int Cumulative) Reads(PluginFactory factory) =>
        (factory.Twilio.Count("GET", "/v1/Workspaces/[^/]+/Tasks"),
         factory.Twilio.Count("GET", "/v1/Workspaces/[^/]+/TaskQueues/[^/]+/RealTimeStatistics"),
         factory.Twilio.Count("GET", "/v1/Workspaces/[^/]+/TaskQueues/[^/]+/CumulativeStatistics"));
}
