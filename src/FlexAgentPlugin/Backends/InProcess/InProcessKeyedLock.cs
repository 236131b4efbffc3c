using System.Threading.RateLimiting;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.InProcess;

/// <summary>
/// <see cref="IKeyedLock"/> for one process: a concurrency limiter of one permit per key. Idle keys' limiters are
/// dropped by the partitioned limiter itself, so idle users cost nothing.
/// </summary>
public sealed class InProcessKeyedLock : IKeyedLock, IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = 1,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));

    public async Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken) =>
        new Held(await limiter.AcquireAsync(key, 1, cancellationToken));

    public void Dispose() => limiter.Dispose();

    private sealed class Held(RateLimitLease lease) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lease.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
