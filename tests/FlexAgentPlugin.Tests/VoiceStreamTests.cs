using System.Net.WebSockets;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Sandbox.StandIn;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The Media Streams socket's rules: a stream is bound to its call by a ticket of the server's own, a quiet socket is
/// closed and frees its place, and a call's several streams are counted, the agents' events ending with the last.
/// </summary>
public sealed class VoiceStreamTests : VoiceTestsBase
{
    private const string OtherCallSid = "CA9999999999abcdef0123456789abcdef";

    [Fact]
    public async Task StoppingOneOfTwoStreamsOfACallLeavesTheAgentsTheOtherAndTheLastEndsTheirEvents()
    {
        using var agent = AgentClient();
        using var first = await ConnectAsync();
        var firstModel = await Realtime.NextConnectionAsync();
        using var events = await agent.GetAsync($"/voice/calls/{CallSid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        Assert.Equal(": listening", await reader.ReadLineAsync());
        using var second = await ConnectAsync();
        var secondModel = await Realtime.NextConnectionAsync();

        await first.StopAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await first.ClosedAsync());
        await Factory.Logs.WaitForAsync(l => l.Text.StartsWith($"Assist for call {CallSid} ended", StringComparison.Ordinal));
        await secondModel.SendAsync(Heard("Are you still there?"));

        Assert.Equal(("transcript", """{"speaker":"customer","text":"Are you still there?"}"""), await NextEventAsync(reader));
        await firstModel.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await second.StopAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await second.ClosedAsync());
        Assert.Equal("", (await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10))).Trim());
        Assert.Equal(0, Factory.Services.GetRequiredService<VoiceCalls>().Active);
    }

    [Fact]
    public async Task ASocketThatSendsNoStartIsClosedAfterFiveSeconds()
    {
        using var twilio = await MediaStreamsClient.OpenAsync(Factory.Server, StreamUrl);
        var opened = Factory.Clock.GetUtcNow();

        await Factory.Clock.WaitForTimerAsync(t => t.DueAt == opened + TimeSpan.FromSeconds(5));
        Factory.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await twilio.ClosedAsync());
        Assert.Empty(Realtime.Connections);
    }

    [Fact]
    public async Task AStreamWithNoMediaForTenSecondsIsClosedAndFreesItsPlace()
    {
        await Factory.DisposeAsync();
        Factory = Start(maxCalls: 1);
        using var twilio = await ConnectAsync();
        var model = await Realtime.NextConnectionAsync();
        var started = Factory.Clock.GetUtcNow();
        await Factory.Clock.WaitForTimerAsync(t => t.DueAt == started + TimeSpan.FromSeconds(10));

        Factory.Clock.Advance(TimeSpan.FromSeconds(9));
        await twilio.MediaAsync(SampleCall.Frames()[0], 1);
        await model.WaitUntilAsync(c => c.Audio.Length == SampleCall.FrameBytes);
        await Factory.Clock.WaitForTimerAsync(t => t.DueAt == started + TimeSpan.FromSeconds(19));
        Factory.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await twilio.ClosedAsync());
        await model.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        using var next = await ConnectAsync(OtherCallSid);
        await Realtime.NextConnectionAsync();
    }

    [Fact]
    public async Task AStreamWhoseStartCarriesNoTicketForItsCallIsClosedAndHoldsNoPlace()
    {
        await Factory.DisposeAsync();
        Factory = Start(maxCalls: 1);
        var ticket = await TicketAsync(CallSid);
        string?[] wrong = [null, "", await TicketAsync(OtherCallSid), ticket[..^2] + (ticket.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA"), "9999999999.forged"];

        foreach (var unbound in wrong)
        {
            using var twilio = await MediaStreamsClient.ConnectAsync(Factory.Server, StreamUrl, CallSid, unbound);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await twilio.ClosedAsync());
        }

        Assert.Empty(Realtime.Connections);
        using var bound = await MediaStreamsClient.ConnectAsync(Factory.Server, StreamUrl, CallSid, ticket);
        await Realtime.NextConnectionAsync();
    }

    [Fact]
    public async Task AnExpiredTicketOpensNoStream()
    {
        var ticket = await TicketAsync(CallSid);
        Factory.Clock.Advance(StreamTickets.Lifetime + TimeSpan.FromSeconds(1));

        using var twilio = await MediaStreamsClient.ConnectAsync(Factory.Server, StreamUrl, CallSid, ticket);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await twilio.ClosedAsync());
        Assert.Empty(Realtime.Connections);
    }

    [Fact]
    public async Task AStreamAnAgentStartsCarriesItsTicketInTheVoiceApiRequest()
    {
        using var agent = AgentClient();
        (await agent.PostAsync($"/voice/calls/{CallSid}/assist", null)).EnsureSuccessStatusCode();
        var start = Assert.Single(Factory.Twilio.Requests, r => r.Path == $"/2010-04-01/Accounts/{PluginFactory.AccountSid}/Calls/{CallSid}/Streams.json");
        Assert.Equal(StreamTickets.Parameter, start.Form1("Parameter1.Name"));

        using var twilio = await MediaStreamsClient.ConnectAsync(Factory.Server, StreamUrl, CallSid, start.Form1("Parameter1.Value"));

        var model = await Realtime.NextConnectionAsync();
        await twilio.MediaAsync(SampleCall.Frames()[0], 1);
        await model.WaitUntilAsync(c => c.Audio.Length == SampleCall.FrameBytes);
    }
}
