using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Dapper;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>
/// OpenIddict's authorizations (a person's grant to a client) in <c>oauth_authorizations</c>, updated by compare-and-set
/// as the tokens are. Revoking one here does not revoke its tokens: OpenIddict's manager asks the token store for that.
/// </summary>
public sealed partial class OAuthAuthorizationStore(IOAuthDatabase database) : IOpenIddictAuthorizationStore<OAuthAuthorization>
{
    private const string Columns = """
        id AS Id, application_id AS ApplicationId, subject AS Subject, status AS Status, type AS Type, scopes AS Scopes,
        creation_date AS CreationDate, properties AS Properties, concurrency_token AS ConcurrencyToken
        """;

    public ValueTask<long> CountAsync(CancellationToken cancellationToken) =>
        new(database.QueryAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM oauth_authorizations", cancellationToken: cancellationToken)), cancellationToken));

    public async ValueTask CreateAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            INSERT INTO oauth_authorizations (id, application_id, subject, status, type, scopes, creation_date, properties, concurrency_token)
            VALUES (@Id, @ApplicationId, @Subject, @Status, @Type, @Scopes, @CreationDate, @Properties, @ConcurrencyToken)
            """, authorization, cancellationToken);

    public async ValueTask DeleteAsync(OAuthAuthorization authorization, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM oauth_authorizations WHERE id = @Id", new { authorization.Id }, cancellationToken);

    public async IAsyncEnumerable<OAuthAuthorization> FindAsync(
        string? subject, string? client, string? status, string? type, ImmutableArray<string>? scopes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var found = RowsAsync(
            """
            WHERE (@subject IS NULL OR subject = @subject) AND (@client IS NULL OR application_id = @client)
              AND (@status IS NULL OR status = @status) AND (@type IS NULL OR type = @type)
            """, new { subject, client, status, type }, cancellationToken);
        await foreach (var authorization in found)
        {
            if (scopes is not { } wanted || wanted.All(StoredValues.Strings(authorization.Scopes).Contains))
            {
                yield return authorization;
            }
        }
    }

    public IAsyncEnumerable<OAuthAuthorization> FindByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        RowsAsync("WHERE application_id = @identifier", new { identifier }, cancellationToken);

    public ValueTask<OAuthAuthorization?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        new(database.QueryAsync(c => c.QuerySingleOrDefaultAsync<OAuthAuthorization>(new CommandDefinition(
            $"SELECT {Columns} FROM oauth_authorizations WHERE id = @identifier", new { identifier }, cancellationToken: cancellationToken)), cancellationToken));

    public IAsyncEnumerable<OAuthAuthorization> FindBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        RowsAsync("WHERE subject = @subject", new { subject }, cancellationToken);

    public ValueTask<OAuthAuthorization> InstantiateAsync(CancellationToken cancellationToken) => new(new OAuthAuthorization());

    public IAsyncEnumerable<OAuthAuthorization> ListAsync(int? count, int? offset, CancellationToken cancellationToken) =>
        RowsAsync("ORDER BY id LIMIT @count OFFSET @offset", new { count = count ?? int.MaxValue, offset = offset ?? 0 }, cancellationToken);

    /// <summary>
    /// Deletes grants created before <paramref name="threshold"/> that are no longer valid, and one-off (ad-hoc) grants
    /// left without a token.
    /// </summary>
    public async ValueTask<long> PruneAsync(DateTimeOffset threshold, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            DELETE FROM oauth_authorizations WHERE creation_date < @threshold
              AND (status <> @Valid OR (type = @AdHoc AND NOT EXISTS (SELECT 1 FROM oauth_tokens WHERE oauth_tokens.authorization_id = oauth_authorizations.id)))
            """,
            new { threshold = threshold.ToUnixTimeMilliseconds(), Statuses.Valid, AuthorizationTypes.AdHoc }, cancellationToken);

    public ValueTask<long> RevokeAsync(string? subject, string? client, string? status, string? type, CancellationToken cancellationToken) =>
        RevokeWhereAsync(
            """
            (@subject IS NULL OR subject = @subject) AND (@client IS NULL OR application_id = @client)
            AND (@status IS NULL OR status = @status) AND (@type IS NULL OR type = @type)
            """, new { subject, client, status, type }, cancellationToken);

    public ValueTask<long> RevokeByApplicationIdAsync(string identifier, CancellationToken cancellationToken) =>
        RevokeWhereAsync("application_id = @identifier", new { identifier }, cancellationToken);

    public ValueTask<long> RevokeBySubjectAsync(string subject, CancellationToken cancellationToken) =>
        RevokeWhereAsync("subject = @subject", new { subject }, cancellationToken);

    /// <summary>Writes the grant if nobody changed it since it was read, else throws OpenIddict's concurrency exception.</summary>
    public async ValueTask UpdateAsync(OAuthAuthorization authorization, CancellationToken cancellationToken)
    {
        var next = StoredValues.NewId();
        var changed = await database.ExecuteAsync(
            """
            UPDATE oauth_authorizations SET application_id = @ApplicationId, subject = @Subject, status = @Status, type = @Type, scopes = @Scopes,
                creation_date = @CreationDate, properties = @Properties, concurrency_token = @next
            WHERE id = @Id AND concurrency_token = @ConcurrencyToken
            """,
            new
            {
                authorization.ApplicationId, authorization.Subject, authorization.Status, authorization.Type, authorization.Scopes,
                authorization.CreationDate, authorization.Properties, next, authorization.Id, authorization.ConcurrencyToken,
            },
            cancellationToken);
        if (changed == 0)
        {
            throw new OpenIddictExceptions.ConcurrencyException("The authorization was changed or removed by another request since it was read.");
        }

        authorization.ConcurrencyToken = next;
    }

    public ValueTask<long> CountAsync<TResult>(Func<IQueryable<OAuthAuthorization>, IQueryable<TResult>> query, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("authorizations");

    public ValueTask<TResult?> GetAsync<TState, TResult>(
        Func<IQueryable<OAuthAuthorization>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("authorizations");

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(
        Func<IQueryable<OAuthAuthorization>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("authorizations");

    private async ValueTask<long> RevokeWhereAsync(string condition, object parameters, CancellationToken cancellationToken)
    {
        var values = new DynamicParameters(parameters);
        values.Add("revoked", Statuses.Revoked);
        values.Add("next", StoredValues.NewId());
        return await database.ExecuteAsync($"UPDATE oauth_authorizations SET status = @revoked, concurrency_token = @next WHERE {condition}", values, cancellationToken);
    }

    private async IAsyncEnumerable<OAuthAuthorization> RowsAsync(string condition, object parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(c => c.QueryAsync<OAuthAuthorization>(new CommandDefinition(
            $"SELECT {Columns} FROM oauth_authorizations {condition}", parameters, cancellationToken: cancellationToken)), cancellationToken);
        foreach (var row in rows)
        {
            yield return row;
        }
    }
}
