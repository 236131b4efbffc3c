namespace FlexAgentPlugin.Core.State;

/// <summary>
/// Permits counted in clock-aligned windows that every instance shares, taken several at a time: a busy key costs one
/// round trip to the shared store per batch instead of one per call. Permits an instance takes and does not use are
/// lost for that window, so the instances together never exceed the limit (they may, when busy together, stay a little
/// under it).
/// </summary>
public interface IPermitBatches
{
    /// <summary>
    /// Takes up to <paramref name="wanted"/> permits for <paramref name="key"/> in the current <paramref name="window"/>:
    /// how many were granted (0 when the window is full) and when the window ends (the permits are good until then).
    /// </summary>
    ValueTask<PermitBatch> TakeBatchAsync(string key, int limit, TimeSpan window, int wanted, CancellationToken cancellationToken);
}

/// <summary>Permits granted in one window, good until <paramref name="WindowEnds"/>.</summary>
public readonly record struct PermitBatch(int Granted, DateTimeOffset WindowEnds);
