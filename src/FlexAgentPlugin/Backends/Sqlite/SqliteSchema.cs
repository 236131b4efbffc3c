using System.Globalization;
using Dapper;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>The schema, brought from the version a database has (PRAGMA user_version) to the newest, one step at a time.</summary>
public sealed partial class SqliteStore
{
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
        // One route per conversation, whoever routed it. Conversations set up for Studio (or before routing was kept,
        // when Studio was the only routing) had their Studio webhook from the start.
        """
        CREATE TABLE IF NOT EXISTS conversation_routes (
            conversation_sid TEXT NOT NULL PRIMARY KEY,
            mode             TEXT NOT NULL,
            interaction_sid  TEXT,
            created_at       TEXT NOT NULL
        );
        INSERT OR IGNORE INTO conversation_routes (conversation_sid, mode, interaction_sid, created_at)
            SELECT conversation_sid, 'interactions', interaction_sid, created_at FROM conversation_interactions;
        INSERT OR IGNORE INTO conversation_routes (conversation_sid, mode, interaction_sid, created_at)
            SELECT conversation_sid, 'studio', NULL, updated_at FROM user_conversations WHERE routing IS NULL OR routing = 'studio';
        DROP TABLE conversation_interactions;
        ALTER TABLE user_conversations DROP COLUMN routing;
        """,
        """
        CREATE TABLE IF NOT EXISTS sends (
            user_key     TEXT NOT NULL,
            key_hash     TEXT NOT NULL,
            message_hash TEXT NOT NULL,
            posted       INTEGER NOT NULL,
            outcome      TEXT,
            created_at   TEXT NOT NULL,
            PRIMARY KEY (user_key, key_hash)
        );
        CREATE INDEX IF NOT EXISTS sends_by_age ON sends (created_at);
        """,
        """
        CREATE TABLE IF NOT EXISTS event_claims (
            event_key  TEXT NOT NULL PRIMARY KEY,
            claimed_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS event_claims_by_age ON event_claims (claimed_at);
        """,
        """
        CREATE TABLE IF NOT EXISTS data_protection_keys (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            friendly_name TEXT,
            xml           TEXT NOT NULL,
            created_at    TEXT NOT NULL
        );
        """,
        OAuthTables,
        """
        CREATE TABLE IF NOT EXISTS call_turns (
            call_sid   TEXT NOT NULL,
            turn_index INTEGER NOT NULL,
            speaker    TEXT NOT NULL,
            text       TEXT NOT NULL,
            at         TEXT NOT NULL,
            PRIMARY KEY (call_sid, turn_index)
        );
        """,
        // The agents' desk: whether a user's assistant waits on the line (until: Unix milliseconds), and each assisted
        // call's transcript and suggestions, for agents who open the call late.
        """
        CREATE TABLE IF NOT EXISTS assistant_waits (
            conversation_sid TEXT NOT NULL PRIMARY KEY,
            waiting_until    INTEGER,
            pending          INTEGER NOT NULL,
            updated_at       TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS assist_events (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            call_sid   TEXT NOT NULL,
            kind       TEXT NOT NULL,
            data       TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS assist_events_by_call ON assist_events (call_sid, id);
        CREATE INDEX IF NOT EXISTS assist_events_by_age ON assist_events (created_at);
        """,
        """
        CREATE TABLE IF NOT EXISTS shared_snapshots (
            snapshot_key TEXT NOT NULL PRIMARY KEY,
            body         TEXT NOT NULL,
            saved_at     TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS shared_snapshots_by_age ON shared_snapshots (saved_at);
        """,
    ];

    /// <summary>The sign-in's rows (OpenIddict's applications, grants and tokens) and keys; times are Unix milliseconds.</summary>
    private const string OAuthTables = """
        CREATE TABLE IF NOT EXISTS oauth_applications (
            id TEXT PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, client_secret TEXT, client_type TEXT, application_type TEXT,
            consent_type TEXT, display_name TEXT, redirect_uris TEXT NOT NULL, permissions TEXT NOT NULL, requirements TEXT NOT NULL,
            settings TEXT NOT NULL, properties TEXT NOT NULL, source TEXT NOT NULL, created_at INTEGER NOT NULL, concurrency_token TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS oauth_authorizations (
            id TEXT PRIMARY KEY, application_id TEXT, subject TEXT, status TEXT, type TEXT, scopes TEXT NOT NULL,
            creation_date INTEGER, properties TEXT NOT NULL, concurrency_token TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS oauth_authorizations_by_subject ON oauth_authorizations (subject, application_id);
        CREATE TABLE IF NOT EXISTS oauth_tokens (
            id TEXT PRIMARY KEY, application_id TEXT, authorization_id TEXT, subject TEXT, type TEXT, status TEXT, payload TEXT,
            reference_id TEXT UNIQUE, creation_date INTEGER, expiration_date INTEGER, redemption_date INTEGER,
            properties TEXT NOT NULL, concurrency_token TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS oauth_tokens_by_authorization ON oauth_tokens (authorization_id);
        CREATE INDEX IF NOT EXISTS oauth_tokens_by_application ON oauth_tokens (application_id);
        CREATE TABLE IF NOT EXISTS oauth_keys (purpose TEXT PRIMARY KEY, material TEXT NOT NULL, created_at INTEGER NOT NULL);
        """;

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
}
