using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.InProcess;

/// <summary><see cref="IRateWindows"/> for one process: a fixed-window limiter per key, one partitioned limiter per limit and window.</summary>
public sealed class InProcessRateWindows : IRateWindows, IDisposable
{
    private readonly ConcurrentDictionary<(int Limit, TimeSpan Window), PartitionedRateLimiter<string>> limiters = new();

    public bool IsShared => false;

    public ValueTask<TimeSpan?> TryTakeAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var limiter = limiters.GetOrAdd((limit, window), shape => PartitionedRateLimiter.Create<string, string>(partition =>
            RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = shape.Limit,
                Window = shape.Window,
                QueueLimit = 0,
            })));
        using var lease = limiter.AttemptAcquire(key);
        return ValueTask.FromResult(lease.IsAcquired ? (TimeSpan?)null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window);
    }

    public void Dispose()
    {
        foreach (var limiter in limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
