using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.StandIn;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>Real-time voice assist: Twilio's Media Streams in, OpenAI's Realtime API (a fake of its GA protocol) out, suggestions to agents.</summary>
public sealed class VoiceTests : VoiceTestsBase
{
    [Fact]
    public async Task AnIncomingCallGetsTwimlThatStreamsTheCallerAndEnqueuesTheCallToTheWorkflow()
    {
        using var client = Factory.CreateClient();

        var response = await Factory.PostSignedAsync(client, "/voice/incoming", ("CallSid", CallSid), ("From", "+15551230000"), ("To", "+15005550006"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        var twiml = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        var stream = twiml.Element("Start")!.Element("Stream")!;
        Assert.Equal(StreamUrl, (string?)stream.Attribute("url"));
        Assert.Equal("both_tracks", (string?)stream.Attribute("track"));
        var parameters = stream.Elements("Parameter").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        Assert.Equal("+15551230000", parameters["from"]);
        Assert.NotEmpty(parameters["assistTicket"]);
        var enqueue = twiml.Element("Enqueue")!;
        Assert.Equal(PluginFactory.WorkflowSid, (string?)enqueue.Attribute("workflowSid"));
        Assert.Equal("+15551230000", (string?)JsonNode.Parse(enqueue.Element("Task")!.Value)!["from"]);
        Assert.True(twiml.Elements().ToList().IndexOf(twiml.Element("Start")!) < twiml.Elements().ToList().IndexOf(enqueue), "The stream starts before the call waits for an agent.");
    }

    [Fact]
    public async Task ASignedIncomingRequestWithoutACallSidIsABadRequestNamingIt()
    {
        using var client = Factory.CreateClient();

        var response = await Factory.PostSignedAsync(client, "/voice/incoming", ("From", "+15551230000"), ("To", "+15005550006"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("CallSid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnsignedIncomingCallOrStreamIsRefused()
    {
        using var client = Factory.CreateClient();
        var incoming = await client.PostAsync("/voice/incoming", new FormUrlEncodedContent([new("CallSid", CallSid)]));

        var unsigned = await Assert.ThrowsAnyAsync<Exception>(() => MediaStreamsClient.OpenAsync(Factory.Server, signedUrl: null));
        var forged = await Assert.ThrowsAnyAsync<Exception>(() => MediaStreamsClient.OpenAsync(Factory.Server, StreamUrl, authToken: "not-the-auth-token"));

        Assert.Equal(HttpStatusCode.Forbidden, incoming.StatusCode);
        Assert.Contains("403", unsigned.Message, StringComparison.Ordinal);
        Assert.Contains("403", forged.Message, StringComparison.Ordinal);
        Assert.Empty(Realtime.Connections);
    }

    [Fact]
    public async Task TheCallersAudioReachesTheModelByteExactAfterAGaSessionUpdate()
    {
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        var frames = SampleCall.Frames().Take(50).ToList();
        for (var i = 0; i < frames.Count; i++)
        {
            await twilio.MediaAsync(frames[i], i + 1);
        }

        await model.WaitUntilAsync(c => c.Audio.Length == frames.Count * SampleCall.FrameBytes);

        Assert.Equal("gpt-realtime-test", model.Model);
        var update = model.Events[0];
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"type":"session.update","session":{"type":"realtime","output_modalities":["text"],"instructions":"Suggest short answers about owls.\n\nAnswer only the customer's questions, never the agent's.",
             "audio":{"input":{"format":{"type":"audio/pcmu"},"transcription":{"model":"gpt-4o-mini-transcribe"},
                               "turn_detection":{"type":"server_vad","create_response":true}}}}}
            """), update));
        Assert.Equal(frames.SelectMany(f => f).ToArray(), model.Audio);
        Assert.Equal(frames.Count, model.Events.Count(e => (string?)e["type"] == "input_audio_buffer.append"));
        Assert.Empty(Realtime.Problems);
    }

    [Fact]
    public async Task TranscriptLinesAndSuggestionsReachTheAgentsEventStreamAndTheFlexPluginsSyncStream()
    {
        using var agent = AgentClient();
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());

        await model.SendAsync(JsonNode.Parse("""
            {"event_id":"event_1","type":"conversation.item.input_audio_transcription.completed","item_id":"item_1","content_index":0,
             "transcript":"How long does shipping take?","usage":{"type":"duration","seconds":1.75}}
            """)!.AsObject());
        await model.SendAsync(JsonNode.Parse("""
            {"event_id":"event_2","type":"response.output_text.done","response_id":"resp_1","item_id":"item_2","output_index":0,"content_index":0,
             "text":"Standard shipping takes 3 to 5 business days."}
            """)!.AsObject());

        Assert.Equal(("transcript", """{"speaker":"customer","text":"How long does shipping take?"}"""), await NextEventAsync(reader));
        Assert.Equal(("suggestion", """{"question":"How long does shipping take?","answer":"Standard shipping takes 3 to 5 business days."}"""), await NextEventAsync(reader));
        await Factory.Twilio.WaitUntilAsync(() => Factory.Twilio.State.SyncMessages().Count == 2);
        var published = Factory.Twilio.State.SyncMessages();
        Assert.All(published, m => Assert.Equal($"FLEX_ASSIST_{CallSid}", m.Stream));
        var suggestion = JsonNode.Parse(published[1].Data)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"question":"How long does shipping take?","answer":"Standard shipping takes 3 to 5 business days."}"""),
            JsonNode.Parse((string)suggestion["transcript"]!)));
        Assert.Equal(1, Factory.Twilio.Count("POST", $"/v1/Services/{SyncService}/Streams"));
    }

    [Fact]
    public async Task AnAnswerTheModelWritesAsJsonIsShownAsItsAnswerAndItsQuestion()
    {
        using var agent = AgentClient();
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());

        await model.SendAsync(Heard("uh, do you ship to canada"));
        await model.SendAsync(Answered("```json\n{\"question\": \"Do you ship to Canada?\", \"answer\": \"Yes, in 5 to 7 business days.\"}\n```"));
        await model.SendAsync(Heard("And returns?"));
        await model.SendAsync(Answered("""{"answer": "Returns are free within 30 days."}"""));

        var seen = new[] { await NextEventAsync(reader), await NextEventAsync(reader), await NextEventAsync(reader), await NextEventAsync(reader) };
        Assert.Equal(
            [("suggestion", """{"question":"Do you ship to Canada?","answer":"Yes, in 5 to 7 business days."}"""), ("suggestion", """{"question":"And returns?","answer":"Returns are free within 30 days."}""")],
            seen.Where(e => e.Event == "suggestion"));
        await Factory.Twilio.WaitUntilAsync(() => Factory.Twilio.State.SyncMessages().Count == 4);
        var published = Factory.Twilio.State.SyncMessages().Select(m => JsonNode.Parse(m.Data)!).Where(d => d["transcript"] is not null).ToList();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"question":"Do you ship to Canada?","answer":"Yes, in 5 to 7 business days."}"""),
            JsonNode.Parse((string)published[0]["transcript"]!)));
    }

    [Fact]
    public async Task WhenTheModelConnectionDropsItIsOpenedAgainAndTheAudioGoesOn()
    {
        using var twilio = await ConnectAsync();
        var first = await Realtime.NextConnectionAsync();
        var frames = SampleCall.Frames().Skip(100).Take(20).ToList();
        await twilio.MediaAsync(frames[0], 1);
        await first.WaitUntilAsync(c => c.Audio.Length == SampleCall.FrameBytes);

        first.Drop();
        // The reconnect's back-off (a second at most here), not the stream's own 10 s limit on silence.
        var backoff = await Factory.Clock.WaitForTimerAsync(t => t.DueAt <= Factory.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        Factory.Clock.Advance(backoff.DueAt - Factory.Clock.GetUtcNow());
        var second = await Realtime.NextConnectionAsync();
        for (var i = 1; i < frames.Count; i++)
        {
            await twilio.MediaAsync(frames[i], i + 1);
        }

        await second.WaitUntilAsync(c => c.Audio.Length == (frames.Count - 1) * SampleCall.FrameBytes);
        Assert.Equal("session.update", (string?)second.Events[0]["type"]);
        Assert.Equal(frames.Skip(1).SelectMany(f => f).ToArray(), second.Audio);
        Assert.Empty(Realtime.Problems);
    }

    [Fact]
    public async Task StopReleasesTheModelConnectionAndEndsTheAgentsEventStream()
    {
        using var agent = AgentClient();
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());

        await twilio.StopAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await twilio.ClosedAsync());
        await model.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(": listening", await reader.ReadLineAsync());
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("", rest.Trim());
        Assert.Equal(0, Factory.Services.GetRequiredService<VoiceCalls>().Active);
    }

    [Fact]
    public async Task AMessageThatIsNotMediaStreamsJsonClosesTheStreamAndReleasesTheCall()
    {
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();

        await twilio.Socket.SendAsync("this is not JSON"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await twilio.ClosedAsync());
        await model.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Factory.Services.GetRequiredService<VoiceCalls>().Active);
    }

    [Fact]
    public async Task APlainRequestToTheStreamIsABadRequest()
    {
        using var client = Factory.CreateClient();

        var response = await client.GetAsync("/voice/stream");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ACallBeyondTheLimitIsNotStreamedToTheModel()
    {
        await Factory.DisposeAsync();
        Factory = Start(maxCalls: 1);
        using var first = await ConnectAsync();
        await Realtime.NextConnectionAsync();

        using var second = await ConnectAsync("CA" + new string('9', 32));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await second.ClosedAsync());
        Assert.Single(Realtime.Connections);
        Assert.Equal(1, Factory.Services.GetRequiredService<VoiceCalls>().Active);
    }

    [Fact]
    public async Task AnAgentStartsAndStopsAssistOnACallInProgressThroughTheVoiceApi()
    {
        using var agent = AgentClient();
        using var stranger = Factory.CreateClient();

        var refused = await stranger.PostAsync($"/voice/calls/{CallSid}/assist", null);
        var started = await agent.PostAsync($"/voice/calls/{CallSid}/assist", null);
        var stopped = await agent.DeleteAsync($"/voice/calls/{CallSid}/assist");
        var malformed = await agent.PostAsync("/voice/calls/not-a-call/assist", null);
        var stoppedTwice = await agent.DeleteAsync($"/voice/calls/{CallSid}/assist");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal("started", (string?)JsonNode.Parse(await started.Content.ReadAsStringAsync())!["status"]);
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stoppedTwice.StatusCode);
        var start = Assert.Single(Factory.Twilio.Requests, r => r.Path == $"/2010-04-01/Accounts/{PluginFactory.AccountSid}/Calls/{CallSid}/Streams.json");
        Assert.Equal("voice", start.Api);
        Assert.Equal([new("Url", StreamUrl), new("Name", "flex-assist"), new("Track", "both_tracks"), new("Parameter1.Name", "assistTicket")], start.Form.Take(4));
        Assert.Equal("Parameter1.Value", start.Form[4].Key);
        Assert.Equal(5, start.Form.Count);
        var stops = Factory.Twilio.Requests.Where(r => r.Path == $"/2010-04-01/Accounts/{PluginFactory.AccountSid}/Calls/{CallSid}/Streams/flex-assist.json").ToList();
        Assert.Equal(2, stops.Count);
        Assert.All(stops, stop => Assert.Equal([new("Status", "stopped")], stop.Form));
    }

    [Fact]
    public async Task AnAgentKeyOpensAgentToolsButNotTheApi()
    {
        await Factory.DisposeAsync();
        Factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["API_KEYS"] = "claude=claude-key-0123456789abcdef",
            ["VOICE_AGENT_KEYS"] = $"desk={AgentKey}",
            ["OPENAI_REALTIME_URL"] = Realtime.Url,
        });
        using var agent = AgentClient();

        var send = await PluginFactory.SendAsync(agent, "alice", "Hi");
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Forbidden, send.StatusCode);

        // The key passes: a call never assisted is not found, neither unauthorized nor forbidden.
        Assert.Equal(HttpStatusCode.NotFound, events.StatusCode);
    }
}
