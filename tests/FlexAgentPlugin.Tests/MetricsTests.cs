using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using FlexAgentPlugin.Core.Telemetry;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>The server's metrics, read in-process with a MeterListener on the test server's own meters.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly PluginFactory factory = new(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = "https://plugin.example.com" });
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> measurements = new();

    public MetricsTests()
    {
        var meters = factory.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ExchangeMetrics.MeterName && instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    [Fact]
    public async Task AnExchangeIsCountedAsAWaitingCallATwilioCallPerOperationAWakeUpAndAReplyLatency()
    {
        using var client = factory.CreateClient();
        var send = PluginFactory.SendAsync(client, "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();
        Assert.Equal(1, Sum("flexagent.calls.waiting"));
        var sid = factory.Twilio.Conversations.Single().Sid;

        factory.Twilio.AgentSays(sid, "Hello!");
        Assert.Equal(HttpStatusCode.OK, (await send.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);

        // One latency sample for the one reply, from the webhook's arrival (the manual clock does not move meanwhile).
        Assert.Equal(0, Sum("flexagent.calls.waiting"));
        Assert.Equal([0.0], Values("flexagent.reply.latency"));
        Assert.Contains(measurements, m => m.Instrument == "flexagent.twilio.calls" && (string?)m.Tags["operation"] == "send message" && (string?)m.Tags["outcome"] == "ok");
        Assert.Contains(measurements, m => m.Instrument == "flexagent.webhook.wakeups" && (string?)m.Tags["origin"] == "local");
        Assert.Equal(0, Sum("flexagent.setups.queued"));
    }

    [Fact]
    public async Task ATwilioRefusalIsCountedAsRefused()
    {
        using var client = factory.CreateClient();
        factory.Twilio.Refuse("/v1/Conversations", times: 1);

        await PluginFactory.SendAsync(client, "alice", "Hi");

        Assert.Contains(measurements, m => m.Instrument == "flexagent.twilio.calls" && (string?)m.Tags["operation"] == "create conversation" && (string?)m.Tags["outcome"] == "refused");
    }

    [Fact]
    public async Task WithAnOtlpEndpointTheServerStartsAndServesEvenWhenTheCollectorIsDown()
    {
        using var exporting = new PluginFactory(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" });
        using var client = exporting.CreateClient();

        var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    public void Dispose()
    {
        listener.Dispose();
        factory.Dispose();
    }

    private double Sum(string instrument) => measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    private IReadOnlyList<double> Values(string instrument) => [.. measurements.Where(m => m.Instrument == instrument).Select(m => m.Value)];

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var (key, tag) in tags)
        {
            copy[key] = tag;
        }

        measurements.Enqueue((instrument.Name, value, copy));
    }
}
