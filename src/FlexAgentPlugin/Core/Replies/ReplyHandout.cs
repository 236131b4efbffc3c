using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Telemetry;

namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// Hands each message written after the user's out exactly once. What is new is decided by the store's delivery mark
/// (the Index of the last message handed out): a hand-out reads the messages after the mark
/// (<see cref="ConversationLooks"/>), then moves the mark over them with a compare-and-set, so concurrent calls,
/// repeated webhooks, several instances and restarts neither lose nor repeat a reply. A hand-out whose caller never
/// received it moves the mark back (<see cref="Delivery.AbandonAsync"/>).
/// </summary>
public sealed class ReplyHandout(IConversationStore store, ConversationLooks looks, ExchangeMetrics metrics, TimeProvider clock)
{
    /// <summary>
    /// Hands out the messages after the mark, if any (<c>Found</c> null: none); reports a closed or vanished conversation.
    /// The AI's hand-off notice is held back (<c>Held</c>) while the wait goes on, so that the person's answer comes with
    /// it; at the end of the wait (<paramref name="final"/>) it is handed out alone, as pending.
    /// </summary>
    public async Task<(Delivery? Found, bool Held)> TryHandOutAsync(ReplyWait wait, bool final, CancellationToken cancellationToken)
    {
        var conversationSid = wait.Subscription.ConversationSid;
        while (true)
        {
            var (stored, fresh) = await looks.LookAsync(wait.UserKey, wait.Username, conversationSid, cancellationToken);
            if (stored is null || stored.ConversationSid != conversationSid || fresh is null)
            {
                return (Delivery.Settled(ReplyOutcome.Closed), false);
            }

            if (fresh.Count == 0)
            {
                return (stored.Closed ? Delivery.Settled(ReplyOutcome.Closed) : null, false);
            }

            var handoff = stored.Closed ? null : MessageMarks.Read(fresh[^1].Attributes).Handoff;
            var awaitingPerson = handoff is not null;

            // A notice that says nobody is there is what the customer should hear at once.
            if (awaitingPerson && !final && !handoff!.AgentsAway)
            {
                return (null, true);
            }

            // The mark moves even if the caller hangs up now: the door abandons the delivery when the answer cannot be written.
            var to = fresh[^1].Index;
            if (await store.TryMoveDeliveryMarkAsync(wait.UserKey, conversationSid, stored.LastDeliveredIndex, to, CancellationToken.None))
            {
                if (wait.Subscription.LastEventReceivedAt is { } reported)
                {
                    metrics.ReplyDelivered(clock.GetUtcNow() - reported);
                }

                var status = stored.Closed ? ReplyStatus.Closed : awaitingPerson ? ReplyStatus.Pending : ReplyStatus.Replied;
                var outcome = new ReplyOutcome(status, [.. fresh.Select(ToReply)], awaitingPerson ? PendingReason.HandedOff : null);
                return (new Delivery(outcome, new DeliveryMark(wait.UserKey, conversationSid, stored.LastDeliveredIndex ?? -1, to), this), false);
            }

            // Another call handed some of them out first: read the mark again.
        }
    }

    /// <summary>Moves the mark back after a hand-out whose answer never reached the caller, unless a later call moved it on.</summary>
    internal Task<bool> GiveBackAsync(DeliveryMark delivered) =>
        store.TryMoveDeliveryMarkAsync(delivered.UserKey, delivered.ConversationSid, delivered.To, delivered.From, CancellationToken.None);

    private static Reply ToReply(ConversationMessage message) =>
        new(string.IsNullOrEmpty(message.Body) ? ReplyOutcome.MediaOnlyPlaceholder : message.Body,
            MessageMarks.Read(message.Attributes).IsAi ? ReplySource.Ai : ReplySource.Agent);
}

/// <summary>The delivery mark a hand-out moved (from the last Index handed out before it, to the last it handed out).</summary>
internal sealed record DeliveryMark(string UserKey, string ConversationSid, long From, long To);
