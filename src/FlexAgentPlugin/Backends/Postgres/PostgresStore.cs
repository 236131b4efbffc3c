using System.Net.Sockets;
using Dapper;
using FlexAgentPlugin.Core.State;
using Npgsql;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>
/// The shared store for several instances: PostgreSQL through Npgsql's pooled data source and Dapper. The same rows as
/// the embedded store; uniqueness and compare-and-set are the database's (primary keys, <c>ON CONFLICT</c>, conditional
/// updates), so concurrent instances make one conversation per user, one route per conversation and hand each reply
/// out once; the locks around them are lease rows (<see cref="PostgresKeyedLock"/>). A statement that meets a dead pooled connection (the database restarted, a connection was killed) is
/// run again on a fresh one instead of failing the caller.
/// </summary>
public sealed partial class PostgresStore(NpgsqlDataSource database, TimeProvider clock)
    : IConversationStore, IRoutingStore, ISendRecords, IEventClaims, IRateWindows, IPermitBatches
{
    /// <summary>Any fixed number: the advisory lock instances take while one of them migrates the schema.</summary>
    private const long MigrationLock = 0x466c6578_4167656e;

    private const int Attempts = 3;

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
    ];

    private int claimsSinceCleanUp;
    private int windowsSinceCleanUp;

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

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(c => c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken))) == 1;
        }
        catch (Exception error) when (error is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    public async Task<StoredConversation?> FindAsync(string userKey, CancellationToken cancellationToken)
    {
        var row = await RunAsync(c => c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            """
            SELECT user_key AS UserKey, conversation_sid AS ConversationSid, last_delivered_index AS LastDeliveredIndex, closed AS Closed
            FROM user_conversations WHERE user_key = @userKey
            """, new { userKey }, cancellationToken: cancellationToken)));
        return row is null ? null : new StoredConversation(row.UserKey, row.ConversationSid, row.LastDeliveredIndex, row.Closed);
    }

    public Task SaveNewAsync(string userKey, string conversationSid, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO user_conversations (user_key, conversation_sid, created_at, updated_at, last_delivered_index, closed)
            VALUES (@userKey, @conversationSid, @now, @now, -1, false)
            ON CONFLICT (user_key) DO UPDATE
                SET conversation_sid = excluded.conversation_sid, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, last_delivered_index = -1, closed = false
            """, new { userKey, conversationSid, now = clock.GetUtcNow() }, cancellationToken);

    public Task MarkClosedAsync(string conversationSid, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE user_conversations SET closed = true, updated_at = @now WHERE conversation_sid = @conversationSid",
            new { conversationSid, now = clock.GetUtcNow() }, cancellationToken);

    public async Task<bool> TryMoveDeliveryMarkAsync(string userKey, string conversationSid, long? expected, long moveTo, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            """
            UPDATE user_conversations SET last_delivered_index = @moveTo, updated_at = @now
            WHERE user_key = @userKey AND conversation_sid = @conversationSid AND last_delivered_index IS NOT DISTINCT FROM @expected
            """, new { userKey, conversationSid, expected, moveTo, now = clock.GetUtcNow() }, cancellationToken, answerMatters: true) == 1;

    public Task<ConversationRoute?> FindRouteAsync(string conversationSid, CancellationToken cancellationToken) =>
        RunAsync(c => c.QuerySingleOrDefaultAsync<ConversationRoute>(new CommandDefinition(
            "SELECT conversation_sid AS ConversationSid, mode AS Mode, interaction_sid AS InteractionSid FROM conversation_routes WHERE conversation_sid = @conversationSid",
            new { conversationSid }, cancellationToken: cancellationToken)));

    /// <summary>
    /// The new row if this call recorded it, else the row recorded first: one round trip, and a second only when the
    /// first row was committed while this statement ran (its snapshot could not see it).
    /// </summary>
    public async Task<ConversationRoute> SaveRouteAsync(ConversationRoute route, CancellationToken cancellationToken) =>
        await RunAsync(c => c.QuerySingleOrDefaultAsync<ConversationRoute>(new CommandDefinition(
            """
            WITH inserted AS (
                INSERT INTO conversation_routes (conversation_sid, mode, interaction_sid, created_at)
                VALUES (@ConversationSid, @Mode, @InteractionSid, @now)
                ON CONFLICT (conversation_sid) DO NOTHING
                RETURNING conversation_sid, mode, interaction_sid)
            SELECT conversation_sid AS ConversationSid, mode AS Mode, interaction_sid AS InteractionSid FROM inserted
            UNION ALL
            SELECT conversation_sid, mode, interaction_sid FROM conversation_routes
            WHERE conversation_sid = @ConversationSid AND NOT EXISTS (SELECT 1 FROM inserted)
            """, new { route.ConversationSid, route.Mode, route.InteractionSid, now = clock.GetUtcNow() }, cancellationToken: cancellationToken)))
        ?? await FindRouteAsync(route.ConversationSid, cancellationToken)
        ?? route;

    public async Task<SendRecord?> FindSendAsync(string userKey, string keyHash, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        var row = await RunAsync(c => c.QuerySingleOrDefaultAsync<SendRow>(new CommandDefinition(
            """
            SELECT user_key AS UserKey, key_hash AS KeyHash, message_hash AS MessageHash, posted AS Posted, outcome AS Outcome, created_at AS CreatedAt
            FROM sends WHERE user_key = @userKey AND key_hash = @keyHash AND created_at >= @notBefore
            """, new { userKey, keyHash, notBefore }, cancellationToken: cancellationToken)));
        return row is null ? null : new SendRecord(row.UserKey, row.KeyHash, row.MessageHash, row.Posted, row.Outcome, new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)));
    }

    public Task SaveSendAsync(SendRecord record, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            DELETE FROM sends WHERE created_at < @notBefore;
            INSERT INTO sends (user_key, key_hash, message_hash, posted, outcome, created_at)
            VALUES (@UserKey, @KeyHash, @MessageHash, false, NULL, @CreatedAt)
            ON CONFLICT (user_key, key_hash) DO UPDATE
                SET message_hash = excluded.message_hash, posted = false, outcome = NULL, created_at = excluded.created_at
            """, new { record.UserKey, record.KeyHash, record.MessageHash, CreatedAt = record.CreatedAt.ToUniversalTime(), notBefore = notBefore.ToUniversalTime() }, cancellationToken);

    public Task MarkSendPostedAsync(string userKey, string keyHash, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE sends SET posted = true WHERE user_key = @userKey AND key_hash = @keyHash", new { userKey, keyHash }, cancellationToken);

    public Task SaveSendOutcomeAsync(string userKey, string keyHash, string outcome, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE sends SET outcome = @outcome WHERE user_key = @userKey AND key_hash = @keyHash", new { userKey, keyHash, outcome }, cancellationToken);

    public async Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref claimsSinceCleanUp) % 500 == 1)
        {
            await ExecuteAsync("DELETE FROM event_claims WHERE claimed_at < @forgetBefore", new { forgetBefore = clock.GetUtcNow() - TimeSpan.FromDays(2) }, cancellationToken);
        }

        return await ExecuteAsync("INSERT INTO event_claims (event_key, claimed_at) VALUES (@key, @now) ON CONFLICT (event_key) DO NOTHING",
            new { key, now = clock.GetUtcNow() }, cancellationToken, answerMatters: true) == 1;
    }

    public bool IsShared => true;

    /// <summary>One row per key and window, counted up with an upsert; windows over an hour old are forgotten now and then.</summary>
    public async ValueTask<TimeSpan?> TryTakeAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var start = WindowStart(now, window);
        return await CountAsync(key, start, 1, cancellationToken) <= limit ? null : start + window - now;
    }

    /// <summary>The same windows as <see cref="TryTakeAsync"/>, counted up by the whole batch; the part within the limit is granted.</summary>
    public async ValueTask<PermitBatch> TakeBatchAsync(string key, int limit, TimeSpan window, int wanted, CancellationToken cancellationToken)
    {
        var start = WindowStart(clock.GetUtcNow(), window);
        var count = await CountAsync(key, start, wanted, cancellationToken);
        return new PermitBatch(Math.Clamp(limit - (count - wanted), 0, wanted), start + window);
    }

    private static DateTimeOffset WindowStart(DateTimeOffset now, TimeSpan window) => new(now.UtcTicks - (now.UtcTicks % window.Ticks), TimeSpan.Zero);

    private async Task<int> CountAsync(string key, DateTimeOffset start, int calls, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref windowsSinceCleanUp) % 1000 == 1)
        {
            await ExecuteAsync("DELETE FROM rate_windows WHERE window_start < @forgetBefore", new { forgetBefore = start - TimeSpan.FromHours(1) }, cancellationToken);
        }

        // A count is not worth a wait for the disk: without it, one caller's busy row (every request of one address or
        // key counts on it) is held only as long as the statement runs, not until the log is flushed. A count lost in
        // a database crash only lets a few more calls through. (One round trip: the statements go as one batch.)
        return await RunAsync(c => c.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            BEGIN;
            SET LOCAL synchronous_commit = off;
            INSERT INTO rate_windows (counter_key, window_start, count) VALUES (@key, @start, @calls)
            ON CONFLICT (counter_key, window_start) DO UPDATE SET count = rate_windows.count + excluded.count
            RETURNING count;
            COMMIT;
            """, new { key, start, calls }, cancellationToken: cancellationToken)), answerMatters: true);
    }

    private Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken, bool answerMatters = false) =>
        RunAsync(c => c.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)), answerMatters);

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection. A connection that turns out dead (the database restarted, the
    /// connection was killed) is dropped and the work runs again on a fresh one, up to <see cref="Attempts"/> times. When
    /// <paramref name="answerMatters"/> (a compare-and-set or a claim, whose answer says who won), only a failure that
    /// proves the statement did not take effect is retried: the connection could not be opened, or the server said its
    /// backend was terminated (which rolls the statement back); a connection lost mid-answer is not.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work, bool answerMatters = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await database.OpenConnectionAsync();
                return await work(connection);
            }
            catch (Exception error) when (attempt < Attempts && IsDeadConnection(error) && (!answerMatters || connection is null || error is PostgresException))
            {
                // The pool's other idle connections died with this one (the database restarted, or they were killed).
                database.Clear();
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    /// <summary>
    /// True when the connection itself is gone: the server ended it (shut down, restarting, killed the backend) or the
    /// socket broke. Not a timeout: a pool that is busy or a statement that is slow says nothing of the connections, and
    /// clearing the pool then would only make every caller open (and authenticate) a new one.
    /// </summary>
    internal static bool IsDeadConnection(Exception error) => error switch
    {
        PostgresException postgres => postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.ConnectionFailure,
        NpgsqlException npgsql => npgsql.InnerException is IOException or SocketException,
        IOException or SocketException => true,
        _ => false,
    };

    private sealed record UserRow(string UserKey, string ConversationSid, long? LastDeliveredIndex, bool Closed);

    private sealed record SendRow(string UserKey, string KeyHash, string MessageHash, bool Posted, string? Outcome, DateTime CreatedAt);
}
