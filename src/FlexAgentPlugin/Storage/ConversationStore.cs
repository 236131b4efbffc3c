using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Storage;

/// <summary>The conversation a user is attached to. <see cref="UserKey"/> is the SHA-256 of the username.</summary>
public sealed record StoredConversation(string UserKey, string ConversationSid);

/// <summary>Owns every SQL statement: one row per user, keyed by the hash of the username.</summary>
public sealed class ConversationStore
{
    private readonly string connectionString;
    private readonly TimeProvider clock;

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

    /// <summary>Creates the folder, the schema and turns on write-ahead logging; safe to run on every start.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS user_conversations (
                user_key         TEXT NOT NULL PRIMARY KEY,
                conversation_sid TEXT NOT NULL,
                created_at       TEXT NOT NULL,
                updated_at       TEXT NOT NULL
            );
            """, cancellationToken: cancellationToken));
    }

    public async Task<StoredConversation?> FindAsync(string userKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StoredConversation>(new CommandDefinition(
            "SELECT user_key AS UserKey, conversation_sid AS ConversationSid FROM user_conversations WHERE user_key = @userKey",
            new { userKey }, cancellationToken: cancellationToken));
    }

    /// <summary>Attaches the user to <paramref name="conversationSid"/>, replacing a closed or vanished one.</summary>
    public async Task SaveAsync(string userKey, string conversationSid, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO user_conversations (user_key, conversation_sid, created_at, updated_at)
            VALUES (@userKey, @conversationSid, @now, @now)
            ON CONFLICT (user_key) DO UPDATE
                SET conversation_sid = excluded.conversation_sid, created_at = excluded.created_at, updated_at = excluded.updated_at
            """,
            new { userKey, conversationSid, now }, cancellationToken: cancellationToken));
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
