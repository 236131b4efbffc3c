namespace FlexAgentPlugin.Core.State;

/// <summary>
/// Calls counted in fixed windows per key: in one process by the embedded limiter, across instances by the shared
/// store, so a limit holds however the load balancer spreads a caller's calls.
/// </summary>
public interface IRateWindows
{
    /// <summary>True when the counts are shared by several instances (then no instance may count on its own).</summary>
    bool IsShared { get; }

    /// <summary>
    /// Counts one call for <paramref name="key"/> in the current <paramref name="window"/>: null when it is within
    /// <paramref name="limit"/>, else how long until the window ends.
    /// </summary>
    ValueTask<TimeSpan?> TryTakeAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken);
}
