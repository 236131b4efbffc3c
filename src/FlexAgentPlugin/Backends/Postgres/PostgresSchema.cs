using Dapper;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>The schema, brought from the version a database has (<c>schema_version</c>) to the newest, one step at a time.</summary>
public sealed partial class PostgresStore
{
    /// <summary>Any fixed number: the advisory lock instances take while one of them migrates the schema.</summary>
    private const long MigrationLock = 0x466c6578_4167656e;

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS user_conversations (
            user_key             text PRIMARY KEY,
            conversation_sid     text NOT NULL,
            last_delivered_index bigint,
            closed               boolean NOT NULL DEFAULT false,
            created_at           timestamptz NOT NULL,
            updated_at           timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS user_conversations_by_sid ON user_conversations (conversation_sid);
        CREATE TABLE IF NOT EXISTS conversation_routes (
            conversation_sid text PRIMARY KEY,
            mode             text NOT NULL,
            interaction_sid  text,
            created_at       timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sends (
            user_key     text NOT NULL,
            key_hash     text NOT NULL,
            message_hash text NOT NULL,
            posted       boolean NOT NULL,
            outcome      text,
            created_at   timestamptz NOT NULL,
            PRIMARY KEY (user_key, key_hash)
        );
        CREATE INDEX IF NOT EXISTS sends_by_age ON sends (created_at);
        CREATE TABLE IF NOT EXISTS event_claims (
            event_key  text PRIMARY KEY,
            claimed_at timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS event_claims_by_age ON event_claims (claimed_at);
        """,
        """
        CREATE TABLE IF NOT EXISTS rate_windows (
            counter_key  text NOT NULL,
            window_start timestamptz NOT NULL,
            count        integer NOT NULL,
            PRIMARY KEY (counter_key, window_start)
        );
        CREATE INDEX IF NOT EXISTS rate_windows_by_age ON rate_windows (window_start);
        """,
        """
        CREATE TABLE IF NOT EXISTS key_locks (
            lock_key   text PRIMARY KEY,
            owner      text NOT NULL,
            expires_at timestamptz NOT NULL
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS data_protection_keys (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            friendly_name text,
            xml           text NOT NULL,
            created_at    timestamptz NOT NULL
        );
        """,
        // The sign-in's rows (OpenIddict's applications, grants and tokens) and keys. Times are Unix milliseconds, as
        // in SQLite, so one set of statements serves both stores.
        """
        CREATE TABLE IF NOT EXISTS oauth_applications (
            id text PRIMARY KEY, client_id text NOT NULL UNIQUE, client_secret text, client_type text, application_type text,
            consent_type text, display_name text, redirect_uris text NOT NULL, permissions text NOT NULL, requirements text NOT NULL,
            settings text NOT NULL, properties text NOT NULL, source text NOT NULL, created_at bigint NOT NULL, concurrency_token text NOT NULL
        );
        CREATE TABLE IF NOT EXISTS oauth_authorizations (
            id text PRIMARY KEY, application_id text, subject text, status text, type text, scopes text NOT NULL,
            creation_date bigint, properties text NOT NULL, concurrency_token text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS oauth_authorizations_by_subject ON oauth_authorizations (subject, application_id);
        CREATE TABLE IF NOT EXISTS oauth_tokens (
            id text PRIMARY KEY, application_id text, authorization_id text, subject text, type text, status text, payload text,
            reference_id text UNIQUE, creation_date bigint, expiration_date bigint, redemption_date bigint,
            properties text NOT NULL, concurrency_token text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS oauth_tokens_by_authorization ON oauth_tokens (authorization_id);
        CREATE INDEX IF NOT EXISTS oauth_tokens_by_application ON oauth_tokens (application_id);
        CREATE TABLE IF NOT EXISTS oauth_keys (purpose text PRIMARY KEY, material text NOT NULL, created_at bigint NOT NULL);
        """,
        """
        CREATE TABLE IF NOT EXISTS call_turns (
            call_sid   text NOT NULL,
            turn_index integer NOT NULL,
            speaker    text NOT NULL,
            text       text NOT NULL,
            at         timestamptz NOT NULL,
            PRIMARY KEY (call_sid, turn_index)
        );
        """,
        // The agents' desk: whether a user's assistant waits on the line (until: Unix milliseconds), and each assisted
        // call's transcript and suggestions, for agents who open the call late.
        """
        CREATE TABLE IF NOT EXISTS assistant_waits (
            conversation_sid text PRIMARY KEY,
            waiting_until    bigint,
            pending          boolean NOT NULL,
            updated_at       timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS assist_events (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            call_sid   text NOT NULL,
            kind       text NOT NULL,
            data       text NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS assist_events_by_call ON assist_events (call_sid, id);
        CREATE INDEX IF NOT EXISTS assist_events_by_age ON assist_events (created_at);
        """,
        """
        CREATE TABLE IF NOT EXISTS shared_snapshots (
            snapshot_key text PRIMARY KEY,
            body         text NOT NULL,
            saved_at     timestamptz NOT NULL
        );
        CREATE INDEX IF NOT EXISTS shared_snapshots_by_age ON shared_snapshots (saved_at);
        """,
    ];

    /// <summary>Brings the schema up to date under an advisory lock, so instances starting together migrate once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@MigrationLock)", new { MigrationLock }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)", transaction: transaction, cancellationToken: cancellationToken));
        var version = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT max(version) FROM schema_version", transaction: transaction, cancellationToken: cancellationToken)) ?? 0;
        for (var step = version; step < Migrations.Length; step++)
        {
            await connection.ExecuteAsync(new CommandDefinition(Migrations[step], transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_version (version) VALUES (@version)", new { version = step + 1 }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
