using System.Threading.RateLimiting;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// A fixed-window limiter for one caller whose count lives in the shared store (<see cref="IRateWindows"/>), so the
/// per-caller limit holds across instances. The synchronous attempt always defers to the asynchronous one, which asks
/// the store (the rate-limiting middleware tries one, then the other). It keeps no state of its own.
/// </summary>
internal sealed class SharedWindowLimiter(IRateWindows windows, string key, int permitsPerMinute) : RateLimiter
{
    public override TimeSpan? IdleDuration => TimeSpan.MaxValue;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Deferred;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        await windows.TryTakeAsync($"caller or address:{key}", permitsPerMinute, TimeSpan.FromMinutes(1), cancellationToken) is { } retryAfter
            ? new Lease(false, retryAfter)
            : Lease.Granted;

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease Deferred = new(false, null);

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
