namespace FlexAgentPlugin.Core.State;

/// <summary>
/// A send made with an idempotency key: the user, the key and the message (as hashes), whether the message is
/// in the conversation yet, and the outcome once one was final (replied or closed), to be returned again.
/// </summary>
public sealed record SendRecord(string UserKey, string KeyHash, string MessageHash, bool Posted, string? Outcome, DateTimeOffset CreatedAt);

/// <summary>The sends made with an idempotency key, kept for a day so a repeated call never posts twice.</summary>
public interface ISendRecords
{
    /// <summary>The send with this key, unless it is older than <paramref name="notBefore"/>.</summary>
    Task<SendRecord?> FindSendAsync(string userKey, string keyHash, DateTimeOffset notBefore, CancellationToken cancellationToken);

    /// <summary>Records a new send (replacing an expired one with the same key) and forgets sends older than <paramref name="notBefore"/>.</summary>
    Task SaveSendAsync(SendRecord record, DateTimeOffset notBefore, CancellationToken cancellationToken);

    Task MarkSendPostedAsync(string userKey, string keyHash, CancellationToken cancellationToken);

    Task SaveSendOutcomeAsync(string userKey, string keyHash, string outcome, CancellationToken cancellationToken);
}
