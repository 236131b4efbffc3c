namespace FlexAgentPlugin.Core.State;

/// <summary>
/// The conversation a user is attached to. <see cref="UserKey"/> is the SHA-256 of the username;
/// <see cref="LastDeliveredIndex"/> is the Index of the last message handed to the user's callers (-1: none yet;
/// null: not known, for rows from before it was kept). <see cref="Closed"/> once Twilio closed or lost it.
/// </summary>
public sealed record StoredConversation(string UserKey, string ConversationSid, long? LastDeliveredIndex, bool Closed);

/// <summary>
/// Users and their conversations, and the delivery mark that makes every reply reach the user's callers exactly once.
/// Implemented by the embedded SQLite store and by the shared store for several instances.
/// </summary>
public interface IConversationStore
{
    /// <summary>Creates or migrates the schema; safe on every start, and when several instances start at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>True when the store answers a query (readiness).</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);

    Task<StoredConversation?> FindAsync(string userKey, CancellationToken cancellationToken);

    /// <summary>Attaches the user to a new <paramref name="conversationSid"/>, replacing a closed or vanished one.</summary>
    Task SaveNewAsync(string userKey, string conversationSid, CancellationToken cancellationToken);

    /// <summary>Records that Twilio closed or lost the conversation; the user's next message starts a new one.</summary>
    Task MarkClosedAsync(string conversationSid, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the delivery mark from <paramref name="expected"/> to <paramref name="moveTo"/> if no one moved it meanwhile
    /// (compare-and-set): each message is handed out once, even to concurrent callers on several instances.
    /// </summary>
    Task<bool> TryMoveDeliveryMarkAsync(string userKey, string conversationSid, long? expected, long moveTo, CancellationToken cancellationToken);
}
