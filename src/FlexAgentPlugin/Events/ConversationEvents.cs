using System.Threading.Channels;

namespace FlexAgentPlugin.Events;

/// <summary>Something happened in a conversation: a message was added (by <see cref="Author"/>), or it was closed.</summary>
public sealed record ConversationEvent(string ConversationSid, string? Author, bool Closed);

/// <summary>
/// Fans Twilio's conversation events out to the requests waiting on that conversation. A waiter subscribes
/// before it posts, so no event slips between its post and its wait. Events only wake waiters: what to
/// deliver is always read back from Twilio, so repeated or reordered deliveries cannot duplicate a reply.
/// </summary>
public sealed class ConversationEvents
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Subscription>> subscribers = new(StringComparer.Ordinal);

    public Subscription Subscribe(string conversationSid)
    {
        var subscription = new Subscription(this, conversationSid);
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

    public void Publish(ConversationEvent conversationEvent)
    {
        Subscription[] targets;
        lock (gate)
        {
            targets = subscribers.TryGetValue(conversationEvent.ConversationSid, out var list) ? [.. list] : [];
        }

        foreach (var target in targets)
        {
            target.Channel.Writer.TryWrite(conversationEvent);
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

    /// <summary>One waiter's view of a conversation's events; dispose it when the wait ends.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly ConversationEvents owner;

        internal Subscription(ConversationEvents owner, string conversationSid)
        {
            this.owner = owner;
            ConversationSid = conversationSid;
        }

        public string ConversationSid { get; }

        /// <summary>A few pending events are plenty: each one only means "look again".</summary>
        internal Channel<ConversationEvent> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<ConversationEvent>(
            new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        public ChannelReader<ConversationEvent> Events => Channel.Reader;

        public void Dispose() => owner.Remove(this);
    }
}
