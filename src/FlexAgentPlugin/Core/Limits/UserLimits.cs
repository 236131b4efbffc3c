using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Limits;

/// <summary>How often one user may be served, whichever door they come through.</summary>
public sealed class LimitOptions
{
    /// <summary>Calls per minute for one username, across /send, /replies and the MCP tools.</summary>
    [ConfigurationKeyName("RATE_LIMIT_PER_USER")]
    public int PerUserPerMinute { get; set; } = 30;
}

/// <summary>The user has made too many calls; they may try again after <see cref="RetryAfter"/>.</summary>
public sealed class RateLimitedException(TimeSpan retryAfter, string who)
    : Exception($"Too many calls for this {who}. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} seconds.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A fixed one-minute window of calls per key, for limits that are not an HTTP endpoint's rate-limiter policy.</summary>
public abstract class PerMinuteLimits(int permitsPerMinute, string who) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Counts a call for <paramref name="key"/>, or throws <see cref="RateLimitedException"/> when over the limit.</summary>
    public void Take(string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            throw new RateLimitedException(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1), who);
        }
    }

    public void Dispose()
    {
        limiter.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// The per-user limit (RATE_LIMIT_PER_USER calls a minute, per user key). It sits in the core because only the doors
/// know who the user is (a path segment for /send, a tool argument or the caller's key for MCP).
/// </summary>
public sealed class UserLimits(IOptions<LimitOptions> options) : PerMinuteLimits(options.Value.PerUserPerMinute, "username");
