using FlexAgentPlugin.Backends.OAuthStore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// The built-in authorization server: OpenIddict with its stores on the server's database and its keys from the
/// store. OpenIddict serves RFC 8414 metadata, the JWKS, the token and revocation endpoints, checks clients, redirect
/// URIs, PKCE (S256 only) and resources (RFC 8707), rotates refresh tokens and redeems each code once; the authorization
/// endpoint passes through to the sign-in and consent pages. What it lacks is added by <see cref="ServerHandlers"/>.
/// </summary>
public static class AuthorizationServer
{
    public const string AuthorizePath = "/oauth/authorize";
    public const string TokenPath = "/oauth/token";
    public const string RevokePath = "/oauth/revoke";
    public const string RegisterPath = "/oauth/register";
    public const string JwksPath = "/.well-known/jwks";

    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(30);

    public static IServiceCollection AddAuthorizationServer(this IServiceCollection services, SignInSettings settings)
    {
        services.AddSingleton<OAuthKeyRing>();
        services.AddHostedService(provider => provider.GetRequiredService<OAuthKeyRing>());
        services.AddOpenIddict()
            .AddCore(core => core.UseServerStore())
            .AddServer(server =>
            {
                server.SetIssuer(new Uri(settings.Issuer));
                server.SetAuthorizationEndpointUris(AuthorizePath.TrimStart('/'))
                    .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                    .SetRevocationEndpointUris(RevokePath.TrimStart('/'))
                    .SetJsonWebKeySetEndpointUris(JwksPath.TrimStart('/'));
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
                server.RegisterScopes(SignInSettings.AgentScope, Scopes.OfflineAccess);
                server.RegisterResources(settings.McpResource, settings.ApiResource);

                // Access tokens are plain signed JWTs (any validator can read them with the JWKS); refresh tokens are
                // sealed with the store's AES key.
                server.DisableAccessTokenEncryption();
                server.SetAccessTokenLifetime(AccessTokenLifetime).SetRefreshTokenLifetime(RefreshTokenLifetime);
                server.Configure(options =>
                {
                    // Advertise only what is true: S256 (no plain), no ID tokens, public clients ("none", as CIMD asks) and
                    // secrets, but no client key sets.
                    options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
                    options.Scopes.Remove(Scopes.OpenId);
                    options.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.None);
                    options.ClientAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);
                });
                ServerHandlers.Add(server, settings);
                var host = server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableErrorPassthrough();
                if (new Uri(settings.Issuer).Scheme == Uri.UriSchemeHttp)
                {
                    // Only an issuer on this machine may be http (SignInSettings refuses any other).
                    host.DisableTransportSecurityRequirement();
                }
            });
        services.AddOptions<OpenIddictServerOptions>().Configure<OAuthKeyRing>((options, keys) =>
        {
            options.SigningCredentials.Add(new SigningCredentials(keys.Signing, SecurityAlgorithms.RsaSha256));
            options.EncryptionCredentials.Add(new EncryptingCredentials(keys.Encryption, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        });
        return services;
    }
}
