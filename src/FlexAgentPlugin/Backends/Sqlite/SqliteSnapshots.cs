using System.Globalization;
using Dapper;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>The shared snapshots (<see cref="ISharedSnapshots"/>), one row per key; rows not saved for three days are forgotten.</summary>
public sealed partial class SqliteStore : ISharedSnapshots
{
    private static readonly TimeSpan SnapshotsKept = TimeSpan.FromDays(3);

    private int snapshotsSinceCleanUp;

    public async Task<StoredSnapshot?> FindSnapshotAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SnapshotRow>(new CommandDefinition(
            "SELECT body AS Body, saved_at AS SavedAt FROM shared_snapshots WHERE snapshot_key = @key", new { key }, cancellationToken: cancellationToken));
        return row is null ? null : new StoredSnapshot(row.Body, DateTimeOffset.Parse(row.SavedAt, CultureInfo.InvariantCulture));
    }

    public async Task SaveSnapshotAsync(string key, string body, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref snapshotsSinceCleanUp) % ClaimsPerCleanUp == 1)
        {
            await WriteAsync("DELETE FROM shared_snapshots WHERE saved_at < @forgetBefore",
                new { forgetBefore = Text(clock.GetUtcNow() - SnapshotsKept) }, cancellationToken);
        }

        await WriteAsync(
            """
            INSERT INTO shared_snapshots (snapshot_key, body, saved_at) VALUES (@key, @body, @now)
            ON CONFLICT (snapshot_key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at
            """, new { key, body, now = Now() }, cancellationToken);
    }

    private sealed record SnapshotRow(string Body, string SavedAt);
}
