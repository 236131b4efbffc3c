using FlexAgentPlugin.Core.State;
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

/// <summary>
/// A fixed one-minute window of calls per key, for limits that are not an HTTP endpoint's rate-limiter policy, counted
/// in <see cref="IRateWindows"/> (this process's, or the store's shared by every instance).
/// </summary>
public abstract class PerMinuteLimits(IRateWindows windows, int permitsPerMinute, string who)
{
    /// <summary>Counts a call for <paramref name="key"/>, or throws <see cref="RateLimitedException"/> when over the limit.</summary>
    public async ValueTask TakeAsync(string key, CancellationToken cancellationToken)
    {
        if (await windows.TryTakeAsync($"{who}:{key}", permitsPerMinute, TimeSpan.FromMinutes(1), cancellationToken) is { } retryAfter)
        {
            throw new RateLimitedException(retryAfter, who);
        }
    }
}

/// <summary>
/// The per-user limit (RATE_LIMIT_PER_USER calls a minute, per user key). It sits in the core because only the doors
/// know who the user is (a path segment for /send, a tool argument or the caller's key for MCP).
/// </summary>
public sealed class UserLimits(IRateWindows windows, IOptions<LimitOptions> options) : PerMinuteLimits(windows, options.Value.PerUserPerMinute, "username");
