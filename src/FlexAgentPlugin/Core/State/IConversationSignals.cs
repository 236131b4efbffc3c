namespace FlexAgentPlugin.Core.State;

/// <summary>
/// Something happened in a conversation: a message was added (by <see cref="Author"/>), or it was closed.
/// <see cref="ReceivedAt"/> is when Twilio's webhook reported it to an instance (null for the server's own events).
/// </summary>
public sealed record ConversationEvent(string ConversationSid, string? Author, bool Closed, DateTimeOffset? ReceivedAt = null);

/// <summary>
/// Wakes the requests waiting on a conversation when Twilio reports something in it, wherever the report arrived.
/// A waiter subscribes before it posts, so no event slips between its post and its wait. Events only wake: what
/// to deliver is always read back from Twilio, so repeated, lost or reordered events cannot duplicate a reply.
/// When the server stops, every subscription is woken, so no wait outlasts it.
/// </summary>
public interface IConversationSignals
{
    /// <summary>Subscribes to the conversation's events; the user's own messages (<paramref name="ignoredAuthor"/>) do not wake.</summary>
    IConversationSubscription Subscribe(string conversationSid, string? ignoredAuthor);

    Task PublishAsync(ConversationEvent conversationEvent, CancellationToken cancellationToken);
}

/// <summary>One waiter's view of a conversation; dispose it when the wait ends.</summary>
public interface IConversationSubscription : IDisposable
{
    string ConversationSid { get; }

    /// <summary>Completes at the next event that can matter, or at once if one came since the last call.</summary>
    Task NextAsync();

    /// <summary>Forgets an unfinished <see cref="NextAsync"/>, after a wait for it gave up.</summary>
    void Reset();

    /// <summary>When the latest event that woke this subscription reached the server from Twilio, if it came from Twilio.</summary>
    DateTimeOffset? LastEventReceivedAt { get; }
}
