using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>OpenIddict's four stores on the server's own database, as singletons (they hold nothing but the database).</summary>
public static class OAuthStoreSetup
{
    public static OpenIddictCoreBuilder UseServerStore(this OpenIddictCoreBuilder core)
    {
        core.SetDefaultApplicationEntity<OAuthApplication>().ReplaceApplicationStore<OAuthApplication, OAuthApplicationStore>(ServiceLifetime.Singleton);
        core.SetDefaultAuthorizationEntity<OAuthAuthorization>().ReplaceAuthorizationStore<OAuthAuthorization, OAuthAuthorizationStore>(ServiceLifetime.Singleton);
        core.SetDefaultTokenEntity<OAuthToken>().ReplaceTokenStore<OAuthToken, OAuthTokenStore>(ServiceLifetime.Singleton);
        core.SetDefaultScopeEntity<OAuthScope>().ReplaceScopeStore<OAuthScope, OAuthScopeStore>(ServiceLifetime.Singleton);
        core.Services.TryAddSingleton<OAuthApplicationStore>();
        core.Services.TryAddSingleton<OAuthKeyStore>();
        return core;
    }
}
