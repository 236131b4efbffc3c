using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using FlexAgentPlugin.Backends.InProcess;
using FlexAgentPlugin.Core.State;
using Npgsql;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>
/// <see cref="IKeyedLock"/> across instances: a PostgreSQL session advisory lock on a 64-bit hash of the key, held on
/// its own connection until released. Callers in one instance first take the key's in-process lock, so one instance
/// holds at most one database connection per busy key.
/// </summary>
public sealed class PostgresKeyedLock(NpgsqlDataSource database, InProcessKeyedLock local) : IKeyedLock
{
    public async Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var inProcess = await local.AcquireAsync(key, cancellationToken);
        NpgsqlConnection? connection = null;
        try
        {
            var id = BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            for (var attempt = 1; ; attempt++)
            {
                connection = await database.OpenConnectionAsync(cancellationToken);
                try
                {
                    await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@id)", new { id }, cancellationToken: cancellationToken));
                    return new Held(connection, id, inProcess);
                }
                catch (Exception error) when (attempt < 3 && PostgresStore.IsDeadConnection(error))
                {
                    // A dead pooled connection holds no lock: drop it (and its dead neighbours) and try a fresh one.
                    await connection.DisposeAsync();
                    connection = null;
                    database.Clear();
                }
            }
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            await inProcess.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection, long id, IAsyncDisposable inProcess) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@id)", new { id });
            }
            catch (Exception error) when (error is NpgsqlException or IOException or System.Net.Sockets.SocketException)
            {
                // The connection died: the database released its locks with it.
            }
            finally
            {
                await connection.DisposeAsync();
                await inProcess.DisposeAsync();
            }
        }
    }
}
