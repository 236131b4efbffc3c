namespace FlexAgentPlugin.Core.State;

/// <summary>
/// Mutual exclusion per key (a user, a conversation), held across awaits: in one process by the embedded lock, across
/// instances by the shared store. Dispose the result to release.
/// </summary>
public interface IKeyedLock
{
    Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken);
}
