using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using OpenIddict.Abstractions;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>
/// OpenIddict's scope store, empty: the server's few scopes are registered in its options (RegisterScopes), so there is
/// nothing to look up and nothing is ever stored.
/// </summary>
public sealed class OAuthScopeStore : IOpenIddictScopeStore<OAuthScope>
{
    public ValueTask<long> CountAsync(CancellationToken cancellationToken) => new(0L);

    public ValueTask CreateAsync(OAuthScope scope, CancellationToken cancellationToken) => throw StoredValues.NotKept("scopes");

    public ValueTask DeleteAsync(OAuthScope scope, CancellationToken cancellationToken) => throw StoredValues.NotKept("scopes");

    public ValueTask<OAuthScope?> FindByIdAsync(string identifier, CancellationToken cancellationToken) => new((OAuthScope?)null);

    public ValueTask<OAuthScope?> FindByNameAsync(string name, CancellationToken cancellationToken) => new((OAuthScope?)null);

    public IAsyncEnumerable<OAuthScope> FindByNamesAsync(ImmutableArray<string> names, CancellationToken cancellationToken) => AsyncEnumerable.Empty<OAuthScope>();

    public IAsyncEnumerable<OAuthScope> FindByResourceAsync(string resource, CancellationToken cancellationToken) => AsyncEnumerable.Empty<OAuthScope>();

    public ValueTask<string?> GetDescriptionAsync(OAuthScope scope, CancellationToken cancellationToken) => new((string?)null);

    public ValueTask<ImmutableDictionary<CultureInfo, string>> GetDescriptionsAsync(OAuthScope scope, CancellationToken cancellationToken) =>
        new(ImmutableDictionary<CultureInfo, string>.Empty);

    public ValueTask<string?> GetDisplayNameAsync(OAuthScope scope, CancellationToken cancellationToken) => new((string?)null);

    public ValueTask<ImmutableDictionary<CultureInfo, string>> GetDisplayNamesAsync(OAuthScope scope, CancellationToken cancellationToken) =>
        new(ImmutableDictionary<CultureInfo, string>.Empty);

    public ValueTask<string?> GetIdAsync(OAuthScope scope, CancellationToken cancellationToken) => new(scope.Id);

    public ValueTask<string?> GetNameAsync(OAuthScope scope, CancellationToken cancellationToken) => new(scope.Name);

    public ValueTask<ImmutableDictionary<string, JsonElement>> GetPropertiesAsync(OAuthScope scope, CancellationToken cancellationToken) =>
        new(ImmutableDictionary<string, JsonElement>.Empty);

    public ValueTask<ImmutableArray<string>> GetResourcesAsync(OAuthScope scope, CancellationToken cancellationToken) => new(ImmutableArray<string>.Empty);

    public ValueTask<OAuthScope> InstantiateAsync(CancellationToken cancellationToken) => new(new OAuthScope());

    public IAsyncEnumerable<OAuthScope> ListAsync(int? count, int? offset, CancellationToken cancellationToken) => AsyncEnumerable.Empty<OAuthScope>();

    public ValueTask SetDescriptionAsync(OAuthScope scope, string? description, CancellationToken cancellationToken) => throw StoredValues.NotKept("scopes");

    public ValueTask SetDescriptionsAsync(OAuthScope scope, ImmutableDictionary<CultureInfo, string> descriptions, CancellationToken cancellationToken) =>
        throw StoredValues.NotKept("scopes");

    public ValueTask SetDisplayNameAsync(OAuthScope scope, string? name, CancellationToken cancellationToken) => throw StoredValues.NotKept("scopes");

    public ValueTask SetDisplayNamesAsync(OAuthScope scope, ImmutableDictionary<CultureInfo, string> names, CancellationToken cancellationToken) =>
        throw StoredValues.NotKept("scopes");

    public ValueTask SetNameAsync(OAuthScope scope, string? name, CancellationToken cancellationToken) => throw StoredValues.NotKept("scopes");

    public ValueTask SetPropertiesAsync(OAuthScope scope, ImmutableDictionary<string, JsonElement> properties, CancellationToken cancellationToken) =>
        throw StoredValues.NotKept("scopes");

    public ValueTask SetResourcesAsync(OAuthScope scope, ImmutableArray<string> resources, CancellationToken cancellationToken) => throw StoredValues.NotKept("scopes");

    public ValueTask UpdateAsync(OAuthScope scope, CancellationToken cancellationToken) => throw StoredValues.NotKept("scopes");

    public ValueTask<long> CountAsync<TResult>(Func<IQueryable<OAuthScope>, IQueryable<TResult>> query, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("scopes");

    public ValueTask<TResult?> GetAsync<TState, TResult>(Func<IQueryable<OAuthScope>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("scopes");

    public IAsyncEnumerable<TResult> ListAsync<TState, TResult>(Func<IQueryable<OAuthScope>, TState, IQueryable<TResult>> query, TState state, CancellationToken cancellationToken) =>
        throw StoredValues.NoQueries("scopes");
}
