using System.Globalization;
using System.Threading.RateLimiting;
using Dapper;
using FlexAgentPlugin.Core.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>
/// The embedded store: SQLite, owning every SQL statement. One row per user (keyed by the hash of the username) and
/// one per routed conversation. Writes from this process queue one at a time on one long-lived connection: two SQLite
/// writers at once would make the second one sleep (150 ms in Microsoft.Data.Sqlite's retry), while a queued write
/// waits only for the one before it. Reads use pooled connections (write-ahead logging lets them run beside the writer).
/// </summary>
public sealed partial class SqliteStore : IConversationStore, IRoutingStore, IDisposable
{
    private readonly string connectionString;
    private readonly TimeProvider clock;
    private readonly ConcurrencyLimiter writes = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = 1,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private const string CheckpointStatement = "PRAGMA wal_checkpoint(TRUNCATE);";

    private SqliteConnection? writer;

    /// <summary>Set by <see cref="Checkpoint"/>: a write after it (the server has stopped) goes into the database file at once.</summary>
    private bool checkpointEachWrite;

    public SqliteStore(IOptions<SqliteOptions> options, TimeProvider clock)
    {
        DatabasePath = Path.GetFullPath(options.Value.DatabasePath);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        this.clock = clock;
    }

    public string DatabasePath { get; }

    /// <summary>True when the database answers a query (for /readyz).</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM user_conversations;", cancellationToken: cancellationToken)) >= 0;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>
    /// Moves everything in the write-ahead log into the database file, e.g. before the process exits: after the writes
    /// queued before it, and any write that still comes later moves itself in too.
    /// </summary>
    public void Checkpoint()
    {
        using var turn = writes.AcquireAsync(1).AsTask().GetAwaiter().GetResult();
        checkpointEachWrite = true;
        writer?.Dispose();
        writer = null;
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        connection.Execute(CheckpointStatement);
    }

    public async Task<StoredConversation?> FindAsync(string userKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            """
            SELECT user_key AS UserKey, conversation_sid AS ConversationSid, last_delivered_index AS LastDeliveredIndex, closed AS Closed
            FROM user_conversations WHERE user_key = @userKey
            """,
            new { userKey }, cancellationToken: cancellationToken));
        return row is null ? null : new StoredConversation(row.UserKey, row.ConversationSid, row.LastDeliveredIndex, row.Closed != 0);
    }

    public Task SaveNewAsync(string userKey, string conversationSid, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            INSERT INTO user_conversations (user_key, conversation_sid, created_at, updated_at, last_delivered_index, closed)
            VALUES (@userKey, @conversationSid, @now, @now, -1, 0)
            ON CONFLICT (user_key) DO UPDATE
                SET conversation_sid = excluded.conversation_sid, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, last_delivered_index = -1, closed = 0
            """,
            new { userKey, conversationSid, now = Now() }, cancellationToken);

    public Task MarkClosedAsync(string conversationSid, CancellationToken cancellationToken) =>
        WriteAsync(
            "UPDATE user_conversations SET closed = 1, updated_at = @now WHERE conversation_sid = @conversationSid",
            new { conversationSid, now = Now() }, cancellationToken);

    public async Task<bool> TryMoveDeliveryMarkAsync(string userKey, string conversationSid, long? expected, long moveTo, CancellationToken cancellationToken) =>
        await WriteAsync(
            """
            UPDATE user_conversations SET last_delivered_index = @moveTo, updated_at = @now
            WHERE user_key = @userKey AND conversation_sid = @conversationSid AND last_delivered_index IS @expected
            """,
            new { userKey, conversationSid, expected, moveTo, now = Now() }, cancellationToken) == 1;

    public async Task<ConversationRoute?> FindRouteAsync(string conversationSid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ConversationRoute>(new CommandDefinition(
            "SELECT conversation_sid AS ConversationSid, mode AS Mode, interaction_sid AS InteractionSid FROM conversation_routes WHERE conversation_sid = @conversationSid",
            new { conversationSid }, cancellationToken: cancellationToken));
    }

    public async Task<ConversationRoute> SaveRouteAsync(ConversationRoute route, CancellationToken cancellationToken)
    {
        await WriteAsync(
            """
            INSERT INTO conversation_routes (conversation_sid, mode, interaction_sid, created_at)
            VALUES (@ConversationSid, @Mode, @InteractionSid, @now)
            ON CONFLICT (conversation_sid) DO NOTHING
            """,
            new { route.ConversationSid, route.Mode, route.InteractionSid, now = Now() }, cancellationToken);
        return await FindRouteAsync(route.ConversationSid, cancellationToken) ?? route;
    }

    public void Dispose()
    {
        writer?.Dispose();
        writes.Dispose();
    }

    /// <summary>One write statement, after the writes queued before it, on the writer's connection.</summary>
    private async Task<int> WriteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        using var turn = await writes.AcquireAsync(1, cancellationToken);
        if (writer is null)
        {
            writer = new SqliteConnection(connectionString);
            await writer.OpenAsync(cancellationToken);

            // With write-ahead logging, NORMAL syncs at checkpoints instead of on every commit: a power cut can lose the
            // last commits (at worst one reply is handed out again) but never corrupts the database. Another process
            // writing at the same moment is waited for by SQLite's own short back-off.
            await writer.ExecuteAsync(new CommandDefinition("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;", cancellationToken: cancellationToken));
        }

        try
        {
            var changed = await writer.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
            if (checkpointEachWrite)
            {
                await writer.ExecuteAsync(new CommandDefinition(CheckpointStatement, cancellationToken: cancellationToken));
            }

            return changed;
        }
        catch (SqliteException)
        {
            // A broken connection (the file was removed, say) is opened afresh by the next write.
            writer.Dispose();
            writer = null;
            throw;
        }
    }

    private string Now() => Text(clock.GetUtcNow());

    /// <summary>A pooled connection for reading.</summary>
    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>A user row as SQLite types it (INTEGER is 64-bit).</summary>
    private sealed record UserRow(string UserKey, string ConversationSid, long? LastDeliveredIndex, long Closed);
}
