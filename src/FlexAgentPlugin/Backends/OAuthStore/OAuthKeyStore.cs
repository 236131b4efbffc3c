using Dapper;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>
/// The sign-in's keys (<c>oauth_keys</c>, one row per purpose): made by whichever instance needs one first, then read by
/// every instance and after every restart, so tokens signed by one are accepted by all and outlive a restart.
/// </summary>
public sealed class OAuthKeyStore(IOAuthDatabase database, TimeProvider clock)
{
    /// <summary>The key material for <paramref name="purpose"/>: the stored one, or <paramref name="create"/>'s if none was stored yet.</summary>
    public async Task<string> GetOrAddAsync(string purpose, Func<string> create, CancellationToken cancellationToken)
    {
        if (await FindAsync(purpose, cancellationToken) is { } stored)
        {
            return stored;
        }

        // Two instances starting together may both make one: the first insert wins and both read it back.
        await database.ExecuteAsync(
            "INSERT INTO oauth_keys (purpose, material, created_at) VALUES (@purpose, @material, @now) ON CONFLICT (purpose) DO NOTHING",
            new { purpose, material = create(), now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken);
        return await FindAsync(purpose, cancellationToken) ?? throw new InvalidOperationException($"The {purpose} key could not be stored.");
    }

    private Task<string?> FindAsync(string purpose, CancellationToken cancellationToken) =>
        database.QueryAsync(c => c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT material FROM oauth_keys WHERE purpose = @purpose", new { purpose }, cancellationToken: cancellationToken)), cancellationToken);
}
