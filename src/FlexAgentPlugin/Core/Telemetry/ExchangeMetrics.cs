using System.Diagnostics.Metrics;

namespace FlexAgentPlugin.Core.Telemetry;

/// <summary>
/// What operators of several instances watch, as OpenTelemetry-ready .NET metrics on the meter <see cref="MeterName"/>:
/// calls waiting for an agent, reply latency (Twilio's webhook reporting the agent's message to any instance → the
/// waiting caller's answer; Twilio stamps messages to the second only, too coarse to start from), Twilio calls by
/// operation and outcome, webhook wake-ups (this instance's own, or announced by another), conversation set-ups
/// queued for a connection to Twilio, and agents' Flex sign-ins.
/// </summary>
public sealed class ExchangeMetrics
{
    public const string MeterName = "FlexAgentPlugin";

    private readonly UpDownCounter<long> waiting;
    private readonly Histogram<double> replyLatency;
    private readonly Counter<long> twilioCalls;
    private readonly Counter<long> wakeUps;
    private readonly UpDownCounter<long> setupsQueued;
    private readonly Counter<long> flexSignIns;

    public ExchangeMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        waiting = meter.CreateUpDownCounter<long>("flexagent.calls.waiting", "{call}", "Calls (/send, /replies, MCP tools) waiting for a reply now.");
        replyLatency = meter.CreateHistogram<double>("flexagent.reply.latency", "ms", "From Twilio's webhook reporting the agent's message (to any instance) to the waiting caller's answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000, 15000] });
        twilioCalls = meter.CreateCounter<long>("flexagent.twilio.calls", "{call}", "Twilio REST calls by operation and outcome.");
        wakeUps = meter.CreateCounter<long>("flexagent.webhook.wakeups", "{event}", "Conversation events that woke waiting calls, by origin: local or cross_instance.");
        setupsQueued = meter.CreateUpDownCounter<long>("flexagent.setups.queued", "{setup}", "New conversations waiting for a connection to Twilio.");
        flexSignIns = meter.CreateCounter<long>("flexagent.flex.signins", "{request}", "Requests signed in with an agent's Flex token, by outcome and whether Twilio was asked or the kept answer used.");
    }

    public void WaitStarted() => waiting.Add(1);

    public void WaitEnded() => waiting.Add(-1);

    public void ReplyDelivered(TimeSpan sinceAgentMessage) => replyLatency.Record(Math.Max(0, sinceAgentMessage.TotalMilliseconds));

    /// <summary><paramref name="outcome"/>: ok, refused (Twilio answered 4xx), failed (5xx) or unavailable (no answer).</summary>
    public void TwilioCall(string operation, string outcome) =>
        twilioCalls.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));

    public void WokenUp(bool crossInstance) => wakeUps.Add(1, new KeyValuePair<string, object?>("origin", crossInstance ? "cross_instance" : "local"));

    public void SetupQueued() => setupsQueued.Add(1);

    public void SetupStarted() => setupsQueued.Add(-1);

    /// <summary><paramref name="outcome"/>: accepted, refused or unavailable (Twilio could not say); <paramref name="cached"/>: the kept answer.</summary>
    public void FlexSignIn(string outcome, bool cached) =>
        flexSignIns.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("source", cached ? "cache" : "twilio"));
}
