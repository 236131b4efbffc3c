using System.Net;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Backends.Postgres;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// A call's events with history: an agent who opens the call late sees what was said so far, then what is said next;
/// a reader that reconnects with Last-Event-ID gets only later events; both tracks are transcribed, each labelled; the
/// model is told the knowledge; and the events reach an agent on another instance (PostgreSQL).
/// </summary>
public sealed class CallEventsTests : VoiceTestsBase
{
    private readonly string knowledgeFolder = Path.Combine(Path.GetTempPath(), "flexagent-knowledge", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AnAgentWhoOpensTheCallLateSeesTheTranscriptAndSuggestionsSoFarThenLiveOnes()
    {
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        await model.SendAsync(Heard("How long does shipping take?"));
        await model.SendAsync(Answered("Three to five days."));
        await Factory.Twilio.WaitUntilAsync(() => Factory.Twilio.State.SyncMessages().Count == 2);

        using var agent = AgentClient();
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());

        Assert.Equal(": listening", await reader.ReadLineAsync());
        var first = await NextWithIdAsync(reader);
        var second = await NextWithIdAsync(reader);
        Assert.Equal(("transcript", """{"speaker":"customer","text":"How long does shipping take?"}"""), (first.Event, first.Data));
        Assert.Equal(("suggestion", """{"question":"How long does shipping take?","answer":"Three to five days."}"""), (second.Event, second.Data));
        Assert.True(second.Id > first.Id);
        await model.SendAsync(Heard("And to Canada?"));
        var live = await NextWithIdAsync(reader);
        Assert.Equal(("transcript", """{"speaker":"customer","text":"And to Canada?"}"""), (live.Event, live.Data));
        Assert.True(live.Id > second.Id);
    }

    [Fact]
    public async Task AReaderThatReconnectsWithLastEventIdGetsOnlyLaterEvents()
    {
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        await model.SendAsync(Heard("First question?"));
        await model.SendAsync(Heard("Second question?"));
        await Factory.Twilio.WaitUntilAsync(() => Factory.Twilio.State.SyncMessages().Count == 2);
        using var agent = AgentClient();
        long firstId;
        using (var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead))
        using (var reader = new StreamReader(await events.Content.ReadAsStreamAsync()))
        {
            firstId = (await NextWithIdAsync(reader)).Id;
        }

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/voice/calls/{CallSid}/events");
        again.Headers.Add("Last-Event-ID", firstId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var resumed = await agent.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
        using var rest = new StreamReader(await resumed.Content.ReadAsStreamAsync());

        Assert.Equal(("transcript", """{"speaker":"customer","text":"Second question?"}"""), await NextEventAsync(rest));
    }

    [Fact]
    public async Task ACallNeverAssistedIs404AndAStartedOneCanBeFollowedBeforeTwilioOpensItsStream()
    {
        using var agent = AgentClient();

        using var unknown = await agent.GetAsync($"/voice/calls/{CallSid}/events");
        Factory.Twilio.State.AddCall(CallSid);
        using var started = await agent.PostAsync($"/voice/calls/{CallSid}/assist", null);
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.Equal(": listening", await new StreamReader(await events.Content.ReadAsStreamAsync()).ReadLineAsync());
    }

    [Fact]
    public async Task TheAgentsTrackIsTranscribedAsTheAgentAndNeverAnswered()
    {
        using var twilio = await ConnectAsync();
        var customer = await Realtime.NextConnectionAsync();
        await twilio.MediaAsync(new byte[160], 1, track: "outbound");
        var agentTrack = await Realtime.NextConnectionAsync();
        await agentTrack.WaitUntilAsync(c => c.Events.Any(e => (string?)e["type"] == "input_audio_buffer.append"));

        await agentTrack.SendAsync(Heard("Let me check that for you."));
        await agentTrack.SendAsync(Answered("This must never be suggested."));
        using var agent = AgentClient();
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        var agentLine = await NextEventAsync(reader);
        // The two tracks are two sockets: the customer speaks once the agent's line is in, so their order is known.
        await customer.SendAsync(Heard("Thanks."));

        Assert.Equal(("transcript", """{"speaker":"agent","text":"Let me check that for you."}"""), agentLine);
        Assert.Equal(("transcript", """{"speaker":"customer","text":"Thanks."}"""), await NextEventAsync(reader));
        var session = agentTrack.Events.First(e => (string?)e["type"] == "session.update");
        Assert.False((bool)session["session"]!["audio"]!["input"]!["turn_detection"]!["create_response"]!);
        var customerSession = customer.Events.First(e => (string?)e["type"] == "session.update");
        Assert.True((bool)customerSession["session"]!["audio"]!["input"]!["turn_detection"]!["create_response"]!);
    }

    [Fact]
    public async Task TheModelIsToldTheKnowledgeAndToAnswerOnlyTheCustomer()
    {
        Directory.CreateDirectory(knowledgeFolder);
        await File.WriteAllTextAsync(Path.Combine(knowledgeFolder, "shipping.md"), "# Shipping\nOwls ship in 3 days.");
        await Factory.DisposeAsync();
        Factory = Start(more: new Dictionary<string, string?> { ["AI_KNOWLEDGE_PATH"] = knowledgeFolder });

        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        await model.WaitUntilAsync(c => c.Events.Any(e => (string?)e["type"] == "session.update"));

        var instructions = (string)model.Events.First(e => (string?)e["type"] == "session.update")["session"]!["instructions"]!;
        Assert.StartsWith("Suggest short answers about owls.", instructions, StringComparison.Ordinal);
        Assert.Contains("Answer only the customer's questions", instructions, StringComparison.Ordinal);
        Assert.Contains("Owls ship in 3 days.", instructions, StringComparison.Ordinal);
        Directory.Delete(knowledgeFolder, recursive: true);
    }

    [Fact]
    public async Task AQuietCallSendsAKeepAliveCommentOnTheServersClock()
    {
        using var twilio = await ConnectAsync();
        await Realtime.NextConnectionAsync();
        using var agent = AgentClient();
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        Assert.Equal(": listening", await reader.ReadLineAsync());
        var keepAlive = Factory.Clock.GetUtcNow() + AssistHistory.KeepAlive;

        var timer = await Factory.Clock.WaitForTimerAsync(t => t.DueAt == keepAlive);
        Factory.Clock.Advance(timer.DueAt - Factory.Clock.GetUtcNow());

        Assert.Equal("", await reader.ReadLineAsync());
        Assert.Equal(": keep-alive", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [PostgresFact]
    public async Task EventsOfACallStreamedToOneInstanceReachAnAgentOnAnotherLateAndLive()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var shared = new Dictionary<string, string?> { ["DATABASE_URL"] = database.ConnectionString };
        await Factory.DisposeAsync();
        Factory = Start(more: shared);
        await using var other = Start(more: shared, twilio: Factory.Twilio);
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        await model.SendAsync(Heard("Is my order late?"));
        await Factory.Twilio.WaitUntilAsync(() => Factory.Twilio.State.SyncMessages().Count == 1);

        using var agent = other.CreateClient();
        agent.DefaultRequestHeaders.Authorization = new("Bearer", AgentKey);
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());

        Assert.Equal(("transcript", """{"speaker":"customer","text":"Is my order late?"}"""), await NextEventAsync(reader));
        await model.SendAsync(Answered("It ships today."));
        Assert.Equal(("suggestion", """{"question":"Is my order late?","answer":"It ships today."}"""), await NextEventAsync(reader));
        Assert.True(other.Services.GetRequiredService<PostgresSignals>().WakeUpsFromOthers >= 1);
        await twilio.StopAsync();
        Assert.Equal("", (await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10))).Trim());
    }

    /// <summary>The next event with its id.</summary>
    private static async Task<(string Event, string Data, long Id)> NextWithIdAsync(StreamReader reader)
    {
        string? type = null;
        long? id = null;
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line["id: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return (type!, line["data: ".Length..], id ?? throw new InvalidOperationException("An event came without an id."));
            }
        }

        throw new InvalidOperationException("The event stream ended.");
    }
}
