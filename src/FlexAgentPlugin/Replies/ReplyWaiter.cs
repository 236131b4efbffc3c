using FlexAgentPlugin.Events;
using FlexAgentPlugin.Storage;
using FlexAgentPlugin.Twilio;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Replies;

/// <summary>
/// Waits for the agent without holding a thread, and hands each agent message out exactly once. What is new
/// is decided by SQLite's delivery mark (the Index of the last agent message handed out), claimed with a
/// compare-and-set, so concurrent calls, repeated webhooks and restarts neither lose nor repeat a reply.
/// A webhook event wakes the wait at once; without one the relay looks every poll interval. When the server
/// shuts down, waiting callers are answered "pending" (the reply stays fetchable) instead of being cut off.
/// </summary>
public sealed class ReplyWaiter(
    ConversationsClient twilio,
    ConversationStore store,
    IOptions<ReplyOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime)
{
    /// <summary>The newest messages read per page.</summary>
    public const int PageSize = 10;

    private enum Wake
    {
        Event,
        Timer,
        Stopping,
    }

    /// <summary>
    /// Waits up to <paramref name="limit"/> (null: no limit) for agent messages not yet delivered. With
    /// <paramref name="lookFirst"/> false the first look waits for an event, a poll or the deadline.
    /// </summary>
    public async Task<AgentReplies> WaitAsync(
        string userKey, string username, ConversationEvents.Subscription subscription, TimeSpan? limit, bool lookFirst,
        CancellationToken cancellationToken)
    {
        var conversationSid = subscription.ConversationSid;
        var pollInterval = options.Value.PollInterval;
        var deadline = limit is { } span ? clock.GetUtcNow() + span : (DateTimeOffset?)null;
        var nextPoll = clock.GetUtcNow() + pollInterval;
        var look = lookFirst;
        while (true)
        {
            if (look && await TryDeliverAsync(userKey, username, conversationSid, cancellationToken) is { } found)
            {
                return found;
            }

            var now = clock.GetUtcNow();
            if (deadline is { } end && now >= end)
            {
                return !look && await TryDeliverAsync(userKey, username, conversationSid, cancellationToken) is { } last
                    ? last
                    : AgentReplies.Pending;
            }

            var until = deadline is { } limitAt && limitAt < nextPoll ? limitAt : nextPoll;
            var wake = await NextWakeAsync(subscription, username, until - now, cancellationToken);
            if (wake == Wake.Stopping)
            {
                return AgentReplies.Pending;
            }

            look = wake == Wake.Event;
            if (wake == Wake.Timer && clock.GetUtcNow() >= nextPoll)
            {
                await RefreshStateAsync(conversationSid, cancellationToken);
                nextPoll = clock.GetUtcNow() + pollInterval;
                look = true;
            }
        }
    }

    /// <summary>Delivers the agent messages after the mark, if any; reports a closed conversation.</summary>
    private async Task<AgentReplies?> TryDeliverAsync(string userKey, string username, string conversationSid, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stored = await store.FindAsync(userKey, cancellationToken);
            if (stored is null || stored.ConversationSid != conversationSid)
            {
                return AgentReplies.Closed;
            }

            var fresh = await AgentMessagesAfterAsync(conversationSid, username, stored.LastDeliveredIndex ?? -1, cancellationToken);
            if (fresh.Count == 0)
            {
                return stored.Closed ? AgentReplies.Closed : null;
            }

            if (await store.TryMarkDeliveredAsync(userKey, conversationSid, stored.LastDeliveredIndex, fresh[^1].Index, cancellationToken))
            {
                var bodies = fresh.Select(m => string.IsNullOrEmpty(m.Body) ? AgentReplies.MediaOnlyPlaceholder : m.Body).ToList();
                return new AgentReplies(stored.Closed ? AgentReplies.ClosedStatus : AgentReplies.RepliedStatus, bodies);
            }

            // Another call delivered some of them first: read the mark again.
        }
    }

    /// <summary>Agent messages with an Index above <paramref name="mark"/>, oldest first, reading newest-first pages as far back as needed.</summary>
    private async Task<List<ConversationMessage>> AgentMessagesAfterAsync(string conversationSid, string username, long mark, CancellationToken cancellationToken)
    {
        var found = new List<ConversationMessage>();
        for (var page = await twilio.ListMessagesAsync(conversationSid, newestFirst: true, PageSize, cancellationToken);
             page is not null;
             page = await twilio.NextPageAsync(page, cancellationToken))
        {
            foreach (var message in page.Messages)
            {
                if (message.Index <= mark)
                {
                    return Oldest(found);
                }

                if (!string.Equals(message.Author, username, StringComparison.Ordinal))
                {
                    found.Add(message);
                }
            }
        }

        return Oldest(found);

        static List<ConversationMessage> Oldest(List<ConversationMessage> messages) => [.. messages.OrderBy(m => m.Index)];
    }

    /// <summary>The fallback for a missed state webhook: ask Twilio whether the conversation is closed or gone.</summary>
    private async Task RefreshStateAsync(string conversationSid, CancellationToken cancellationToken)
    {
        var conversation = await twilio.FetchConversationAsync(conversationSid, cancellationToken);
        if (conversation is null or { IsClosed: true })
        {
            await store.MarkClosedAsync(conversationSid, cancellationToken);
        }
    }

    /// <summary>Waits for an event that can matter (not the user's own message coming back) or for <paramref name="due"/>.</summary>
    private async Task<Wake> NextWakeAsync(ConversationEvents.Subscription subscription, string username, TimeSpan due, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var timer = Task.Delay(due > TimeSpan.Zero ? due : TimeSpan.Zero, clock, stop.Token);
        while (true)
        {
            var ready = subscription.Events.WaitToReadAsync(stop.Token).AsTask();
            if (await Task.WhenAny(timer, ready) == timer || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                await stop.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
                return lifetime.ApplicationStopping.IsCancellationRequested ? Wake.Stopping : Wake.Timer;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var relevant = false;
            while (subscription.Events.TryRead(out var conversationEvent))
            {
                relevant |= conversationEvent.Closed || !string.Equals(conversationEvent.Author, username, StringComparison.Ordinal);
            }

            if (relevant)
            {
                await stop.CancelAsync();
                return Wake.Event;
            }
        }
    }
}
