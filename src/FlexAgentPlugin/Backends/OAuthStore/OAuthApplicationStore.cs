using System.Runtime.CompilerServices;
using Dapper;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>
/// OpenIddict's client applications in <c>oauth_applications</c>, updated by compare-and-set. The application's
/// <see cref="SourceProperty"/> (configured, registered by itself, or known by its metadata document) is kept in a column
/// of its own, so clients that registered themselves and then went unused can be pruned.
/// </summary>
public sealed partial class OAuthApplicationStore(IOAuthDatabase database, TimeProvider clock) : IOpenIddictApplicationStore<OAuthApplication>
{
    /// <summary>The application property that says where the client came from: <c>config</c>, <c>dcr</c> or <c>cimd</c>.</summary>
    public const string SourceProperty = "source";

    private const string Columns = """
        id AS Id, client_id AS ClientId, client_secret AS ClientSecret, client_type AS ClientType, application_type AS ApplicationType,
        consent_type AS ConsentType, display_name AS DisplayName, redirect_uris AS RedirectUris, permissions AS Permissions,
        requirements AS Requirements, settings AS Settings, properties AS Properties, created_at AS CreatedAt, concurrency_token AS ConcurrencyToken
        """;

    public ValueTask<long> CountAsync(CancellationToken cancellationToken) =>
        new(database.QueryAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM oauth_applications", cancellationToken: cancellationToken)), cancellationToken));

    public async ValueTask CreateAsync(OAuthApplication application, CancellationToken cancellationToken)
    {
        application.CreatedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await database.ExecuteAsync(
            """
            INSERT INTO oauth_applications (id, client_id, client_secret, client_type, application_type, consent_type, display_name, redirect_uris,
                permissions, requirements, settings, properties, source, created_at, concurrency_token)
            VALUES (@Id, @ClientId, @ClientSecret, @ClientType, @ApplicationType, @ConsentType, @DisplayName, @RedirectUris,
                @Permissions, @Requirements, @Settings, @Properties, @Source, @CreatedAt, @ConcurrencyToken)
            """,
            new
            {
                application.Id, application.ClientId, application.ClientSecret, application.ClientType, application.ApplicationType, application.ConsentType,
                application.DisplayName, application.RedirectUris, application.Permissions, application.Requirements, application.Settings,
                application.Properties, Source = SourceOf(application), application.CreatedAt, application.ConcurrencyToken,
            },
            cancellationToken);
    }

    public async ValueTask DeleteAsync(OAuthApplication application, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM oauth_applications WHERE id = @Id", new { application.Id }, cancellationToken);

    public ValueTask<OAuthApplication?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        new(OneAsync("WHERE id = @identifier", new { identifier }, cancellationToken));

    public ValueTask<OAuthApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken) =>
        new(OneAsync("WHERE client_id = @identifier", new { identifier }, cancellationToken));

    public IAsyncEnumerable<OAuthApplication> FindByPostLogoutRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        AsyncEnumerable.Empty<OAuthApplication>();

    public async IAsyncEnumerable<OAuthApplication> FindByRedirectUriAsync(string uri, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var application in RowsAsync("WHERE redirect_uris LIKE @pattern", new { pattern = "%" + uri.Replace("%", "", StringComparison.Ordinal) + "%" }, cancellationToken))
        {
            if (StoredValues.Strings(application.RedirectUris).Contains(uri, StringComparer.Ordinal))
            {
                yield return application;
            }
        }
    }

    public ValueTask<OAuthApplication> InstantiateAsync(CancellationToken cancellationToken) => new(new OAuthApplication());

    public IAsyncEnumerable<OAuthApplication> ListAsync(int? count, int? offset, CancellationToken cancellationToken) =>
        RowsAsync("ORDER BY id LIMIT @count OFFSET @offset", new { count = count ?? int.MaxValue, offset = offset ?? 0 }, cancellationToken);

    /// <summary>The client ids of the applications from <paramref name="source"/>.</summary>
    public async Task<IReadOnlyList<string>> ClientIdsAsync(string source, CancellationToken cancellationToken) =>
        [.. await database.QueryAsync(c => c.QueryAsync<string>(new CommandDefinition(
            "SELECT client_id FROM oauth_applications WHERE source = @source", new { source }, cancellationToken: cancellationToken)), cancellationToken)];

    /// <summary>
    /// Deletes clients that registered themselves (or came by their metadata document) before <paramref name="threshold"/>
    /// and hold no valid grant, with their tokens and grants.
    /// </summary>
    public async Task<int> PruneRegisteredAsync(DateTimeOffset threshold, CancellationToken cancellationToken)
    {
        const string Unused = """
            SELECT id FROM oauth_applications WHERE source IN ('dcr', 'cimd') AND created_at < @threshold
              AND NOT EXISTS (SELECT 1 FROM oauth_authorizations a WHERE a.application_id = oauth_applications.id AND a.status = @Valid)
            """;
        var values = new { threshold = threshold.ToUnixTimeMilliseconds(), Statuses.Valid };
        await database.ExecuteAsync($"DELETE FROM oauth_tokens WHERE application_id IN ({Unused})", values, cancellationToken);
        await database.ExecuteAsync($"DELETE FROM oauth_authorizations WHERE application_id IN ({Unused})", values, cancellationToken);
        return await database.ExecuteAsync($"DELETE FROM oauth_applications WHERE id IN ({Unused})", values, cancellationToken);
    }

    /// <summary>Writes the application if nobody changed it since it was read, else throws OpenIddict's concurrency exception.</summary>
    public async ValueTask UpdateAsync(OAuthApplication application, CancellationToken cancellationToken)
    {
        var next = StoredValues.NewId();
        var changed = await database.ExecuteAsync(
            """
            UPDATE oauth_applications SET client_id = @ClientId, client_secret = @ClientSecret, client_type = @ClientType, application_type = @ApplicationType,
                consent_type = @ConsentType, display_name = @DisplayName, redirect_uris = @RedirectUris, permissions = @Permissions,
                requirements = @Requirements, settings = @Settings, properties = @Properties, source = @Source, concurrency_token = @next
            WHERE id = @Id AND concurrency_token = @ConcurrencyToken
            """,
            new
            {
                application.ClientId, application.ClientSecret, application.ClientType, application.ApplicationType, application.ConsentType,
                application.DisplayName, application.RedirectUris, application.Permissions, application.Requirements, application.Settings,
                application.Properties, Source = SourceOf(application), next, application.Id, application.ConcurrencyToken,
            },
            cancellationToken);
        if (changed == 0)
        {
            throw new OpenIddictExceptions.ConcurrencyException("The application was changed or removed by another request since it was read.");
        }

        application.ConcurrencyToken = next;
    }

    public ValueTask<long> CountAsync<TResult>(Func<IQueryable<OAuthApplication>, IQueryable<TResult>> query, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("applications");

    public ValueTask<TResult?> GetAsync<TState, TResult>(
        Func<IQueryable<OAuthApplication>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("applications");

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(
        Func<IQueryable<OAuthApplication>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("applications");

    private static string SourceOf(OAuthApplication application) => StoredValues.Property(application.Properties, SourceProperty) ?? "config";

    private Task<OAuthApplication?> OneAsync(string condition, object parameters, CancellationToken cancellationToken) =>
        database.QueryAsync(c => c.QuerySingleOrDefaultAsync<OAuthApplication>(new CommandDefinition(
            $"SELECT {Columns} FROM oauth_applications {condition}", parameters, cancellationToken: cancellationToken)), cancellationToken);

    private async IAsyncEnumerable<OAuthApplication> RowsAsync(string condition, object parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(c => c.QueryAsync<OAuthApplication>(new CommandDefinition(
            $"SELECT {Columns} FROM oauth_applications {condition}", parameters, cancellationToken: cancellationToken)), cancellationToken);
        foreach (var row in rows)
        {
            yield return row;
        }
    }
}
