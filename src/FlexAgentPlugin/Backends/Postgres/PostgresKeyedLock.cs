using Dapper;
using FlexAgentPlugin.Backends.InProcess;
using FlexAgentPlugin.Core.State;
using Npgsql;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>
/// <see cref="IKeyedLock"/> across instances: a lease row per key (<c>key_locks</c>), taken with one upsert that succeeds
/// only when the key is free or its lease expired, and deleted on release. No database connection is held while the
/// lock is: thousands of new users setting up at once (each under its own lock, waiting on Twilio) do not exhaust the
/// pool, as session advisory locks would. A waiter polls with a short back-off. The lease expires after
/// <see cref="Lease"/> (longer than any Twilio call with its retries), so an instance that dies holding a lock blocks
/// that key for at most that long. Callers in one instance first take the key's in-process lock, so one instance polls
/// at most once per busy key. A lease that could not be deleted (the database was away) never blocks the key for long:
/// its owner names this instance, so the next holder here takes it over at once (the in-process lock says no one here
/// holds it), and the delete is retried in the background until the database is back, freeing it for the others.
/// </summary>
public sealed class PostgresKeyedLock(NpgsqlDataSource database, InProcessKeyedLock local, TimeProvider clock) : IKeyedLock
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)];

    private static readonly TimeSpan[] ReleaseBackoff = [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>The first part of every owner this instance writes.</summary>
    private readonly string instance = Guid.NewGuid().ToString("N");

    public async Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var inProcess = await local.AcquireAsync(key, cancellationToken);
        var owner = $"{instance}:{Guid.NewGuid():N}";
        try
        {
            for (var attempt = 0; !await TryTakeAsync(key, owner, cancellationToken); attempt++)
            {
                await Task.Delay(Backoff[Math.Min(attempt, Backoff.Length - 1)], cancellationToken);
            }

            return new Held(this, key, owner, inProcess);
        }
        catch
        {
            await inProcess.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Takes the lease when the key is free or expired, or left behind by this instance; taking it again with the same
    /// owner (a retry) also counts.
    /// </summary>
    private async Task<bool> TryTakeAsync(string key, string owner, CancellationToken cancellationToken) =>
        await RunAsync(connection => connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            INSERT INTO key_locks (lock_key, owner, expires_at) VALUES (@key, @owner, now() + @lease)
            ON CONFLICT (lock_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE key_locks.expires_at < now() OR key_locks.owner = excluded.owner OR split_part(key_locks.owner, ':', 1) = @instance
            RETURNING owner
            """, new { key, owner, lease = Lease, instance }, cancellationToken: cancellationToken))) == owner;

    private Task<int> ReleaseAsync(string key, string owner) =>
        RunAsync(connection => connection.ExecuteAsync("DELETE FROM key_locks WHERE lock_key = @key AND owner = @owner", new { key, owner }));

    /// <summary>Deletes a lease whose release failed, once the database answers again (or gives up when the lease has expired anyway).</summary>
    private async Task ReleaseLaterAsync(string key, string owner)
    {
        var giveUp = clock.GetUtcNow() + Lease;
        for (var attempt = 0; clock.GetUtcNow() < giveUp; attempt++)
        {
            await Task.Delay(ReleaseBackoff[Math.Min(attempt, ReleaseBackoff.Length - 1)], clock);
            try
            {
                await ReleaseAsync(key, owner);
                return;
            }
            catch (Exception error) when (IsUnavailable(error))
            {
                // Still away: try again.
            }
        }
    }

    private static bool IsUnavailable(Exception error) => error is NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException;

    /// <summary>Both statements are safe to repeat, so a dead pooled connection is simply replaced.</summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync();
                return await work(connection);
            }
            catch (Exception error) when (attempt < 3 && PostgresStore.IsDeadConnection(error))
            {
                database.Clear();
            }
        }
    }

    private sealed class Held(PostgresKeyedLock owner, string key, string id, IAsyncDisposable inProcess) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await owner.ReleaseAsync(key, id);
            }
            catch (Exception error) when (IsUnavailable(error))
            {
                _ = owner.ReleaseLaterAsync(key, id);
            }
            finally
            {
                await inProcess.DisposeAsync();
            }
        }
    }
}
