using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// One wait for a user's replies: the user, their subscription to the conversation, how long to wait at most
/// (null: until a reply), whether to look at once or first wait for an event, who to tell how long it has waited, and
/// when the call began (<see cref="Since"/>: the limit counts from it, so time spent posting is part of it; null: now).
/// </summary>
public sealed record ReplyWait(
    string Username, string UserKey, IConversationSubscription Subscription, TimeSpan? Limit, bool LookFirst, WaitProgress? Progress = null, DateTimeOffset? Since = null);

/// <summary>
/// Told every <see cref="Every"/> while a wait goes on, with the time waited so far (on the wait's own timer) and, when
/// <see cref="Place"/> finds one, the customer's place in line.
/// </summary>
public sealed record WaitProgress(TimeSpan Every, Action<WaitUpdate> Report)
{
    /// <summary>Finds the place in line to tell with each report (never throws).</summary>
    public Func<CancellationToken, Task<QueuePlace?>>? Place { get; init; }
}

/// <summary>One progress report: the time waited, and the place in line when known.</summary>
public sealed record WaitUpdate(TimeSpan Waited, QueuePlace? Place);

/// <summary>
/// Waits for replies without holding a thread, and hands each message written after the user's out exactly once.
/// What is new is decided by the store's delivery mark (the Index of the last message handed out), moved with a
/// compare-and-set, so concurrent calls, repeated webhooks, several instances and restarts neither lose nor repeat a
/// reply. An event wakes the wait at once; without one it looks every poll interval. The looks are shared by every
/// wait for the user (<see cref="ConversationLooks"/>), so many waits for one user each end by their limit. When the
/// server shuts down, waiting callers are answered "pending" (the reply stays fetchable) instead of being cut off.
/// </summary>
public sealed class ReplyWaiter(
    IConversationStore store,
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

    /// <summary>True when Twilio reports conversation events to this server, so a wait need not look before the first one.</summary>
    public bool HasWebhooks => callbacks.ConversationEventsUrl is not null;

    public async Task<ReplyOutcome> WaitAsync(ReplyWait wait, CancellationToken cancellationToken)
    {
        metrics.WaitStarted();
        var conversationSid = wait.Subscription.ConversationSid;
        var mark = presence.Begin(conversationSid, wait.Since ?? clock.GetUtcNow(), wait.Limit);
        var pending = true;
        try
        {
            var outcome = await WaitForOutcomeAsync(wait, cancellationToken) with { ConversationSid = conversationSid };
            pending = outcome.Status == ReplyStatus.Pending;
            return outcome;
        }
        finally
        {
            metrics.WaitEnded();

            // Recorded beside the wait, never in its way: the caller (one the server answers as it stops, too) does not wait on it.
            _ = presence.EndAsync(conversationSid, mark, pending);
        }
    }

    private async Task<ReplyOutcome> WaitForOutcomeAsync(ReplyWait wait, CancellationToken cancellationToken)
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
                (var found, held) = await TryDeliverAsync(wait, conversationSid, final: false, cancellationToken);
                if (found is not null)
                {
                    return found;
                }
            }

            var now = clock.GetUtcNow();
            if (deadline is { } end && now >= end)
            {
                // A look that just found nothing need not be repeated; one that held a hand-off notice back hands it out now.
                return (!look || held ? (await TryDeliverAsync(wait, conversationSid, final: true, cancellationToken)).Outcome : null)
                    ?? ReplyOutcome.NotAnsweredYet;
            }

            var until = Earliest(Earliest(deadline ?? DateTimeOffset.MaxValue, nextPoll), nextProgress);
            var wake = await NextWakeAsync(wait.Subscription, until - now, cancellationToken);
            if (wake == Wake.Stopping)
            {
                return ReplyOutcome.NotAnsweredYet;
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
                nextPoll = clock.GetUtcNow() + pollInterval;
                look = true;
            }
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Moves the mark back after a hand-out whose answer never reached the caller, unless a later call moved it on.</summary>
    public Task UndoAsync(DeliveryMark delivered) =>
        store.TryMoveDeliveryMarkAsync(delivered.UserKey, delivered.ConversationSid, delivered.To, delivered.From, CancellationToken.None);

    /// <summary>
    /// Hands out the messages after the mark, if any; reports a closed or vanished conversation. The AI's hand-off notice
    /// is held back while the wait goes on, so that the person's answer comes with it; at the end of the wait
    /// (<paramref name="final"/>) it is handed out alone, as pending.
    /// </summary>
    private async Task<(ReplyOutcome? Outcome, bool Held)> TryDeliverAsync(ReplyWait wait, string conversationSid, bool final, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (stored, fresh) = await looks.LookAsync(wait.UserKey, wait.Username, conversationSid, cancellationToken);
            if (stored is null || stored.ConversationSid != conversationSid || fresh is null)
            {
                return (ReplyOutcome.Closed, false);
            }

            if (fresh.Count == 0)
            {
                return (stored.Closed ? ReplyOutcome.Closed : null, false);
            }

            var handoff = stored.Closed ? null : MessageMarks.Read(fresh[^1].Attributes).Handoff;
            var awaitingPerson = handoff is not null;

            // A notice that says nobody is there is what the customer should hear at once.
            if (awaitingPerson && !final && !handoff!.AgentsAway)
            {
                return (null, true);
            }

            // The mark moves even if the caller hangs up now: the door undoes it when the answer cannot be written.
            var to = fresh[^1].Index;
            if (await store.TryMoveDeliveryMarkAsync(wait.UserKey, conversationSid, stored.LastDeliveredIndex, to, CancellationToken.None))
            {
                if (wait.Subscription.LastEventReceivedAt is { } reported)
                {
                    metrics.ReplyDelivered(clock.GetUtcNow() - reported);
                }

                var status = stored.Closed ? ReplyStatus.Closed : awaitingPerson ? ReplyStatus.Pending : ReplyStatus.Replied;
                return (new ReplyOutcome(status, [.. fresh.Select(ToReply)], awaitingPerson ? PendingReason.HandedOff : null,
                    Delivered: new DeliveryMark(wait.UserKey, conversationSid, stored.LastDeliveredIndex ?? -1, to)), false);
            }

            // Another call handed some of them out first: read the mark again.
        }
    }

    private static Reply ToReply(ConversationMessage message) =>
        new(string.IsNullOrEmpty(message.Body) ? ReplyOutcome.MediaOnlyPlaceholder : message.Body,
            MessageMarks.Read(message.Attributes).IsAi ? ReplySource.Ai : ReplySource.Agent);

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
