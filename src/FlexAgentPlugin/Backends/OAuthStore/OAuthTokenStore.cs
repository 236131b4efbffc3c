using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Dapper;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>
/// OpenIddict's tokens in <c>oauth_tokens</c>. An update is a compare-and-set on the row's concurrency token: of two
/// requests redeeming one code (or one refresh token) at once, exactly one wins, on one instance or several.
/// Every find returns a fresh object read from the database, never one another request holds.
/// </summary>
public sealed partial class OAuthTokenStore(IOAuthDatabase database, TimeProvider clock) : IOpenIddictTokenStore<OAuthToken>
{
    private const string Columns = """
        id AS Id, application_id AS ApplicationId, authorization_id AS AuthorizationId, subject AS Subject, type AS Type,
        status AS Status, payload AS Payload, reference_id AS ReferenceId, creation_date AS CreationDate,
        expiration_date AS ExpirationDate, redemption_date AS RedemptionDate, properties AS Properties, concurrency_token AS ConcurrencyToken
        """;

    public ValueTask<long> CountAsync(CancellationToken cancellationToken) =>
        new(database.QueryAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM oauth_tokens", cancellationToken: cancellationToken)), cancellationToken));

    public async ValueTask CreateAsync(OAuthToken token, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            INSERT INTO oauth_tokens (id, application_id, authorization_id, subject, type, status, payload, reference_id, creation_date,
                expiration_date, redemption_date, properties, concurrency_token)
            VALUES (@Id, @ApplicationId, @AuthorizationId, @Subject, @Type, @Status, @Payload, @ReferenceId, @CreationDate,
                @ExpirationDate, @RedemptionDate, @Properties, @ConcurrencyToken)
            """, token, cancellationToken);

    public async ValueTask DeleteAsync(OAuthToken token, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM oauth_tokens WHERE id = @Id", new { token.Id }, cancellationToken);

    public IAsyncEnumerable<OAuthToken> FindAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        RowsAsync(
            """
            WHERE (@subject IS NULL OR subject = @subject) AND (@client IS NULL OR application_id = @client)
              AND (@status IS NULL OR status = @status) AND (@type IS NULL OR type = @type)
            """, new { subject, client, status, type }, cancellationToken);

    public IAsyncEnumerable<OAuthToken> FindByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        RowsAsync("WHERE application_id = @identifier", new { identifier }, cancellationToken);

    public IAsyncEnumerable<OAuthToken> FindByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken) =>
        RowsAsync("WHERE authorization_id = @identifier", new { identifier }, cancellationToken);

    public ValueTask<OAuthToken?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        new(OneAsync("WHERE id = @identifier", new { identifier }, cancellationToken));

    public ValueTask<OAuthToken?> FindByReferenceIdAsync(string identifier, CancellationToken cancellationToken) =>
        new(OneAsync("WHERE reference_id = @identifier", new { identifier }, cancellationToken));

    public IAsyncEnumerable<OAuthToken> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        RowsAsync("WHERE subject = @subject", new { subject }, cancellationToken);

    public ValueTask<OAuthToken> InstantiateAsync(CancellationToken cancellationToken) => new(new OAuthToken());

    public IAsyncEnumerable<OAuthToken> ListAsync(int? count, int? offset, CancellationToken cancellationToken) =>
        RowsAsync("ORDER BY id LIMIT @count OFFSET @offset", new { count = count ?? int.MaxValue, offset = offset ?? 0 }, cancellationToken);

    /// <summary>
    /// Deletes what can no longer be used: tokens created before <paramref name="threshold"/> that are not valid (redeemed,
    /// revoked), have expired, or belong to a grant that is not valid any more.
    /// </summary>
    public async ValueTask<long> PruneAsync(DateTimeOffset threshold, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            DELETE FROM oauth_tokens WHERE creation_date < @threshold
              AND (status NOT IN (@Inactive, @Valid) OR expiration_date < @now
                   OR authorization_id IN (SELECT id FROM oauth_authorizations WHERE status <> @Valid))
            """,
            new { threshold = threshold.ToUnixTimeMilliseconds(), now = clock.GetUtcNow().ToUnixTimeMilliseconds(), Statuses.Inactive, Statuses.Valid },
            cancellationToken);

    public ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        RevokeWhereAsync(
            """
            (@subject IS NULL OR subject = @subject) AND (@client IS NULL OR application_id = @client)
            AND (@status IS NULL OR status = @status) AND (@type IS NULL OR type = @type)
            """, new { subject, client, status, type }, cancellationToken);

    public ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync("application_id = @identifier", new { identifier }, cancellationToken);

    public ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken) =>
        RevokeWhereAsync("authorization_id = @identifier", new { identifier }, cancellationToken);

    public ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync("subject = @subject", new { subject }, cancellationToken);

    /// <summary>Writes the token if nobody changed it since it was read, else throws OpenIddict's concurrency exception.</summary>
    public async ValueTask UpdateAsync(OAuthToken token, CancellationToken cancellationToken)
    {
        var next = StoredValues.NewId();
        var changed = await database.ExecuteAsync(
            """
            UPDATE oauth_tokens SET application_id = @ApplicationId, authorization_id = @AuthorizationId, subject = @Subject, type = @Type,
                status = @Status, payload = @Payload, reference_id = @ReferenceId, creation_date = @CreationDate, expiration_date = @ExpirationDate,
                redemption_date = @RedemptionDate, properties = @Properties, concurrency_token = @next
            WHERE id = @Id AND concurrency_token = @ConcurrencyToken
            """,
            new
            {
                token.ApplicationId, token.AuthorizationId, token.Subject, token.Type, token.Status, token.Payload, token.ReferenceId, token.CreationDate,
                token.ExpirationDate, token.RedemptionDate, token.Properties, next, token.Id, token.ConcurrencyToken,
            },
            cancellationToken);
        if (changed == 0)
        {
            throw new OpenIddictExceptions.ConcurrencyException("The token was changed or removed by another request since it was read.");
        }

        token.ConcurrencyToken = next;
    }

    public ValueTask<long> CountAsync<TResult>(Func<IQueryable<OAuthToken>, IQueryable<TResult>> query, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("tokens");

    public ValueTask<TResult?> GetAsync<TState, TResult>(Func<IQueryable<OAuthToken>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("tokens");

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(Func<IQueryable<OAuthToken>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("tokens");

    private async ValueTask<long> RevokeWhereAsync(string condition, object parameters, CancellationToken cancellationToken)
    {
        var values = new DynamicParameters(parameters);
        values.Add("revoked", Statuses.Revoked);
        values.Add("next", StoredValues.NewId());
        return await database.ExecuteAsync($"UPDATE oauth_tokens SET status = @revoked, concurrency_token = @next WHERE {condition}", values, cancellationToken);
    }

    private Task<OAuthToken?> OneAsync(string condition, object parameters, CancellationToken cancellationToken) =>
        database.QueryAsync(c => c.QuerySingleOrDefaultAsync<OAuthToken>(new CommandDefinition($"SELECT {Columns} FROM oauth_tokens {condition}", parameters, cancellationToken: cancellationToken)), cancellationToken);

    private async IAsyncEnumerable<OAuthToken> RowsAsync(string condition, object parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(c => c.QueryAsync<OAuthToken>(new CommandDefinition($"SELECT {Columns} FROM oauth_tokens {condition}", parameters, cancellationToken: cancellationToken)), cancellationToken);
        foreach (var row in rows)
        {
            yield return row;
        }
    }
}
