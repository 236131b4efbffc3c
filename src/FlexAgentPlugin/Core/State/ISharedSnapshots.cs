namespace FlexAgentPlugin.Core.State;

/// <summary>A value kept under a key, with when it was saved.</summary>
public sealed record StoredSnapshot(string Body, DateTimeOffset SavedAt);

/// <summary>
/// Small values every instance reads (a statistics snapshot one instance read from Twilio, what a customer was last
/// told), kept by key, the newest save winning. Values not saved again for a few days are forgotten.
/// </summary>
public interface ISharedSnapshots
{
    Task<StoredSnapshot?> FindSnapshotAsync(string key, CancellationToken cancellationToken);

    Task SaveSnapshotAsync(string key, string body, CancellationToken cancellationToken);
}
