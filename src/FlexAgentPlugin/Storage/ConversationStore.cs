using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Storage;

/// <summary>
/// The conversation a user is attached to. <see cref="UserKey"/> is the SHA-256 of the username;
/// <see cref="LastDeliveredIndex"/> is the Index of the last agent message handed to the caller
/// (-1: none yet; null: not known, for rows from before it was kept). <see cref="Routing"/> is how the conversation
/// was set up to reach Flex ("studio", "interactions"; null for rows from before it was kept), and
/// <see cref="InteractionSid"/> the Flex Interaction that routed it, once one did.
/// </summary>
public sealed record StoredConversation(
    string UserKey, string ConversationSid, long? LastDeliveredIndex, bool Closed, string? Routing, string? InteractionSid);

/// <summary>
/// Owns every SQL statement: one row per user, keyed by the hash of the username, and one per conversation
/// routed through a Flex Interaction. Writes from this process
/// queue on an async gate: two SQLite writers at once would make the second one sleep (150 ms in
/// Microsoft.Data.Sqlite's retry), while a queued write waits only for the one before it.
/// </summary>
public sealed class ConversationStore : IDisposable
{
    /// <summary>Each step brings a database from the version before it (PRAGMA user_version) to the next.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS user_conversations (
            user_key         TEXT NOT NULL PRIMARY KEY,
            conversation_sid TEXT NOT NULL,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        );
        """,
        """
        ALTER TABLE user_conversations ADD COLUMN last_delivered_index INTEGER;
        ALTER TABLE user_conversations ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS user_conversations_by_sid ON user_conversations (conversation_sid);
        """,
        """
        CREATE TABLE IF NOT EXISTS conversation_interactions (
            conversation_sid TEXT NOT NULL PRIMARY KEY,
            interaction_sid  TEXT NOT NULL,
            created_at       TEXT NOT NULL
        );
        ALTER TABLE user_conversations ADD COLUMN routing TEXT;
        """,
    ];

    private readonly string connectionString;
    private readonly TimeProvider clock;
    private readonly SemaphoreSlim writeGate = new(1, 1);

    public ConversationStore(IOptions<StorageOptions> options, TimeProvider clock)
    {
        var path = Path.GetFullPath(options.Value.DatabasePath);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        DatabasePath = path;
        this.clock = clock;
    }

    public string DatabasePath { get; }

    /// <summary>Creates the folder and brings the schema up to date in one transaction; safe on every start.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition("PRAGMA user_version;", transaction: transaction, cancellationToken: cancellationToken));
        for (var step = version; step < Migrations.Length; step++)
        {
            await connection.ExecuteAsync(new CommandDefinition(Migrations[step], transaction: transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"PRAGMA user_version = {Migrations.Length.ToString(CultureInfo.InvariantCulture)};", transaction: transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

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

    /// <summary>Moves everything in the write-ahead log into the database file, e.g. before the process exits.</summary>
    public void Checkpoint()
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        connection.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
    }

    public async Task<StoredConversation?> FindAsync(string userKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            """
            SELECT u.user_key AS UserKey, u.conversation_sid AS ConversationSid,
                   u.last_delivered_index AS LastDeliveredIndex, u.closed AS Closed, u.routing AS Routing,
                   i.interaction_sid AS InteractionSid
            FROM user_conversations u LEFT JOIN conversation_interactions i ON i.conversation_sid = u.conversation_sid
            WHERE u.user_key = @userKey
            """,
            new { userKey }, cancellationToken: cancellationToken));
        return row is null ? null : new StoredConversation(row.UserKey, row.ConversationSid, row.LastDeliveredIndex, row.Closed != 0, row.Routing, row.InteractionSid);
    }

    /// <summary>Attaches the user to a new <paramref name="conversationSid"/>, replacing a closed or vanished one.</summary>
    public async Task SaveNewAsync(string userKey, string conversationSid, string routing, CancellationToken cancellationToken)
    {
        var now = Now();
        await WriteAsync(
            """
            INSERT INTO user_conversations (user_key, conversation_sid, created_at, updated_at, last_delivered_index, closed, routing)
            VALUES (@userKey, @conversationSid, @now, @now, -1, 0, @routing)
            ON CONFLICT (user_key) DO UPDATE
                SET conversation_sid = excluded.conversation_sid, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, last_delivered_index = -1, closed = 0, routing = excluded.routing
            """,
            new { userKey, conversationSid, now, routing }, cancellationToken);
    }

    /// <summary>Records that Twilio closed or lost the conversation; the user's next message starts a new one.</summary>
    public async Task MarkClosedAsync(string conversationSid, CancellationToken cancellationToken)
    {
        var now = Now();
        await WriteAsync(
            "UPDATE user_conversations SET closed = 1, updated_at = @now WHERE conversation_sid = @conversationSid",
            new { conversationSid, now }, cancellationToken);
    }

    /// <summary>
    /// Moves the delivery mark from <paramref name="expected"/> to <paramref name="delivered"/> if no one moved it
    /// meanwhile (compare-and-set), so each agent message is handed out once even to concurrent callers.
    /// </summary>
    public async Task<bool> TryMarkDeliveredAsync(
        string userKey, string conversationSid, long? expected, long delivered, CancellationToken cancellationToken)
    {
        var now = Now();
        var changed = await WriteAsync(
            """
            UPDATE user_conversations SET last_delivered_index = @delivered, updated_at = @now
            WHERE user_key = @userKey AND conversation_sid = @conversationSid AND last_delivered_index IS @expected
            """,
            new { userKey, conversationSid, expected, delivered, now }, cancellationToken);
        return changed == 1;
    }

    /// <summary>The Interaction that routed <paramref name="conversationSid"/> to Flex, or null when none did.</summary>
    public async Task<string?> FindInteractionAsync(string conversationSid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT interaction_sid FROM conversation_interactions WHERE conversation_sid = @conversationSid",
            new { conversationSid }, cancellationToken: cancellationToken));
    }

    /// <summary>Records the Interaction that routed the conversation; the first one recorded stays.</summary>
    public async Task SaveInteractionAsync(string conversationSid, string interactionSid, CancellationToken cancellationToken)
    {
        var now = Now();
        await WriteAsync(
            """
            INSERT INTO conversation_interactions (conversation_sid, interaction_sid, created_at)
            VALUES (@conversationSid, @interactionSid, @now)
            ON CONFLICT (conversation_sid) DO NOTHING
            """,
            new { conversationSid, interactionSid, now }, cancellationToken);
    }

    public void Dispose() => writeGate.Dispose();

    /// <summary>One write statement, after the writes queued before it.</summary>
    private async Task<int> WriteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>A row as SQLite types it (INTEGER is 64-bit).</summary>
    private sealed record Row(string UserKey, string ConversationSid, long? LastDeliveredIndex, long Closed, string? Routing, string? InteractionSid);

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // With write-ahead logging, NORMAL syncs at checkpoints instead of on every commit: a power cut can lose
        // the last commits (at worst one reply is handed out again) but never corrupts the database. Another
        // process writing at the same moment is waited for by SQLite's own short back-off.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;", cancellationToken: cancellationToken));
        return connection;
    }
}
