using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>The webhook events taken on (<see cref="IEventClaims"/>), kept for two days: Twilio retries within hours.</summary>
public sealed partial class SqliteStore : IEventClaims
{
    private static readonly TimeSpan ClaimsKept = TimeSpan.FromDays(2);

    /// <summary>Old claims are forgotten once every this many claims.</summary>
    private const int ClaimsPerCleanUp = 500;

    private int claimsSinceCleanUp;

    public async Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref claimsSinceCleanUp) % ClaimsPerCleanUp == 1)
        {
            await WriteAsync("DELETE FROM event_claims WHERE claimed_at < @forgetBefore",
                new { forgetBefore = Text(clock.GetUtcNow() - ClaimsKept) }, cancellationToken);
        }

        return await WriteAsync("INSERT INTO event_claims (event_key, claimed_at) VALUES (@key, @now) ON CONFLICT (event_key) DO NOTHING",
            new { key, now = Now() }, cancellationToken) == 1;
    }
}
