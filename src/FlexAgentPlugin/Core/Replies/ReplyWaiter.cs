using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// Waits for replies without holding a thread, until <see cref="ReplyHandout"/> hands some out, the limit passes or the
/// server stops. An event wakes the wait at once; without one it looks every poll interval (with webhooks, which leave
/// the looks only a lost webhook to catch, after one interval, then twice as long after each look, up to
/// <see cref="LongestPollFactor"/> intervals), and tells the wait's progress on its own timer. The looks are shared by
/// every wait for the user (<see cref="ConversationLooks"/>), so many waits for one user each end by their limit. When the server shuts down, waiting callers are answered
/// "pending" (the reply stays fetchable) instead of being cut off.
/// </summary>
public sealed class ReplyWaiter(
    ReplyHandout handout,
    ConversationLooks looks,
    TwilioCallbacks callbacks,
    IOptions<ReplyOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ExchangeMetrics metrics,
    AssistantPresence presence)
{
    private enum Wake
    {
        Event,
        Timer,
        Stopping,
    }

    /// <summary>With webhooks, the longest time between two looks of one wait, in poll intervals.</summary>
    public const int LongestPollFactor = 8;

    /// <summary>True when Twilio reports conversation events to this server, so a wait need not look before the first one.</summary>
    public bool HasWebhooks => callbacks.ConversationEventsUrl is not null;

    /// <summary>Waits as <paramref name="wait"/> says; the delivery's outcome names the conversation waited on.</summary>
    public async Task<Delivery> WaitAsync(ReplyWait wait, CancellationToken cancellationToken)
    {
        metrics.WaitStarted();
        var conversationSid = wait.Subscription.ConversationSid;
        var mark = presence.Begin(conversationSid, wait.Since ?? clock.GetUtcNow(), wait.Limit);
        var pending = true;
        try
        {
            var found = await WaitForOutcomeAsync(wait, cancellationToken);
            var delivery = found.With(found.Outcome with { ConversationSid = conversationSid });
            pending = delivery.Outcome.Status == ReplyStatus.Pending;
            return delivery;
        }
        finally
        {
            metrics.WaitEnded();

            // Recorded beside the wait, never in its way: the caller (one the server answers as it stops, too) does not wait on it.
            _ = presence.EndAsync(conversationSid, mark, pending);
        }
    }

    private async Task<Delivery> WaitForOutcomeAsync(ReplyWait wait, CancellationToken cancellationToken)
    {
        var conversationSid = wait.Subscription.ConversationSid;
        var pollInterval = options.Value.PollInterval;
        var started = wait.Since ?? clock.GetUtcNow();
        var deadline = wait.Limit is { } span ? started + span : (DateTimeOffset?)null;
        var nextPoll = clock.GetUtcNow() + pollInterval;
        var nextProgress = wait.Progress is { } progress ? started + progress.Every : DateTimeOffset.MaxValue;
        var look = wait.LookFirst;
        var held = false;
        while (true)
        {
            if (look)
            {
                (var found, held) = await handout.TryHandOutAsync(wait, final: false, cancellationToken);
                if (found is not null)
                {
                    return found;
                }
            }

            var now = clock.GetUtcNow();
            if (deadline is { } end && now >= end)
            {
                // A look that just found nothing need not be repeated; one that held a hand-off notice back hands it out now.
                return (!look || held ? (await handout.TryHandOutAsync(wait, final: true, cancellationToken)).Found : null)
                    ?? Delivery.Settled(ReplyOutcome.NotAnsweredYet);
            }

            var until = Earliest(Earliest(deadline ?? DateTimeOffset.MaxValue, nextPoll), nextProgress);
            var wake = await NextWakeAsync(wait.Subscription, until - now, cancellationToken);
            if (wake == Wake.Stopping)
            {
                return Delivery.Settled(ReplyOutcome.NotAnsweredYet);
            }

            look = wake == Wake.Event;
            if (wake == Wake.Timer && clock.GetUtcNow() >= nextProgress && (deadline is null || clock.GetUtcNow() < deadline))
            {
                var place = wait.Progress!.Place is { } find ? await find(cancellationToken) : null;
                wait.Progress.Report(new WaitUpdate(clock.GetUtcNow() - started, place));
                nextProgress = clock.GetUtcNow() + wait.Progress.Every;
            }

            if (wake == Wake.Timer && clock.GetUtcNow() >= nextPoll)
            {
                await looks.RefreshStateAsync(conversationSid, cancellationToken);
                if (HasWebhooks)
                {
                    // With Twilio's webhooks the looks only catch one that went missing: each look that finds nothing
                    // doubles the time to the next, up to LongestPollFactor times the interval.
                    pollInterval = TimeSpan.FromTicks(Math.Min(pollInterval.Ticks * 2, options.Value.PollInterval.Ticks * LongestPollFactor));
                }

                nextPoll = clock.GetUtcNow() + pollInterval;
                look = true;
            }
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>
    /// Waits for an event that can matter, or for <paramref name="due"/>. A stopping server wakes every subscription
    /// (see <see cref="IConversationSignals"/>), so no waiter needs a token of its own for that.
    /// </summary>
    private async Task<Wake> NextWakeAsync(IConversationSubscription subscription, TimeSpan due, CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Wake.Stopping;
        }

        try
        {
            await subscription.NextAsync().WaitAsync(due > TimeSpan.Zero ? due : TimeSpan.Zero, clock, cancellationToken);
            return lifetime.ApplicationStopping.IsCancellationRequested ? Wake.Stopping : Wake.Event;
        }
        catch (TimeoutException)
        {
            subscription.Reset();
            return Wake.Timer;
        }
    }
}
