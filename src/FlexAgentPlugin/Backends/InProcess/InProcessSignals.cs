using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.InProcess;

/// <summary>
/// <see cref="IConversationSignals"/> within one process: an event reaches the subscriptions of this process only.
/// A subscription is a flag and at most one pending task, so a waiting request costs a few dozen bytes here. When the
/// server stops, every subscription is woken, so waits end at once.
/// </summary>
public sealed class InProcessSignals : IConversationSignals
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Subscription>> subscribers = new(StringComparer.Ordinal);

    public InProcessSignals(IHostApplicationLifetime lifetime) => lifetime.ApplicationStopping.Register(WakeAll);

    public IConversationSubscription Subscribe(string conversationSid, string? ignoredAuthor)
    {
        var subscription = new Subscription(this, conversationSid, ignoredAuthor);
        lock (gate)
        {
            if (!subscribers.TryGetValue(conversationSid, out var list))
            {
                subscribers[conversationSid] = list = [];
            }

            list.Add(subscription);
        }

        return subscription;
    }

    public Task PublishAsync(ConversationEvent conversationEvent, CancellationToken cancellationToken)
    {
        Wake(conversationEvent);
        return Task.CompletedTask;
    }

    /// <summary>Wakes this process's subscriptions to the event's conversation.</summary>
    public void Wake(ConversationEvent conversationEvent)
    {
        Subscription[] targets;
        lock (gate)
        {
            targets = subscribers.TryGetValue(conversationEvent.ConversationSid, out var list) ? [.. list] : [];
        }

        foreach (var target in targets)
        {
            target.Signal(conversationEvent);
        }
    }

    /// <summary>Wakes every subscription of this process, e.g. after events may have been missed.</summary>
    public void WakeAll()
    {
        Subscription[] targets;
        lock (gate)
        {
            targets = [.. subscribers.Values.SelectMany(list => list)];
        }

        foreach (var target in targets)
        {
            target.Signal(new ConversationEvent(target.ConversationSid, Author: null, Closed: false));
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (gate)
        {
            if (subscribers.TryGetValue(subscription.ConversationSid, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                subscribers.Remove(subscription.ConversationSid);
            }
        }
    }

    private sealed class Subscription(InProcessSignals owner, string conversationSid, string? ignoredAuthor) : IConversationSubscription
    {
        private readonly Lock gate = new();
        private TaskCompletionSource? next;
        private bool signaled;

        public string ConversationSid { get; } = conversationSid;

        public DateTimeOffset? LastEventReceivedAt { get; private set; }

        public Task NextAsync()
        {
            lock (gate)
            {
                if (signaled)
                {
                    signaled = false;
                    return Task.CompletedTask;
                }

                return (next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }

        public void Reset()
        {
            lock (gate)
            {
                next = null;
            }
        }

        public void Signal(ConversationEvent conversationEvent)
        {
            if (!conversationEvent.Closed && conversationEvent.Author is { } author && string.Equals(author, ignoredAuthor, StringComparison.Ordinal))
            {
                return;
            }

            TaskCompletionSource? waiting;
            lock (gate)
            {
                LastEventReceivedAt = conversationEvent.ReceivedAt ?? LastEventReceivedAt;
                waiting = next;
                next = null;
                signaled = waiting is null;
            }

            waiting?.TrySetResult();
        }

        public void Dispose() => owner.Remove(this);
    }
}
