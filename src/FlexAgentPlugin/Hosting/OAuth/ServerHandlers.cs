using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// What OpenIddict lacks, as handlers in its pipeline: the metadata of dynamic registration and client metadata
/// documents (and endpoint URLs from the public base, not the request's host); clients known by their metadata
/// document; revoking a token revokes its whole grant (OpenIddict revokes the one token). A token request may name
/// only its grant's resource without a handler here: each client is permitted exactly one resource, its door's.
/// </summary>
public static class ServerHandlers
{
    public static void Add(OpenIddictServerBuilder server, SignInSettings settings)
    {
        server.AddEventHandler<HandleConfigurationRequestContext>(handler => handler.UseInlineHandler(context =>
        {
            context.AuthorizationEndpoint = new Uri(settings.BaseUrl + AuthorizationServer.AuthorizePath);
            context.TokenEndpoint = new Uri(settings.BaseUrl + AuthorizationServer.TokenPath);
            context.RevocationEndpoint = new Uri(settings.BaseUrl + AuthorizationServer.RevokePath);
            context.JsonWebKeySetEndpoint = new Uri(settings.BaseUrl + AuthorizationServer.JwksPath);
            context.Metadata["registration_endpoint"] = settings.BaseUrl + AuthorizationServer.RegisterPath;
            context.Metadata["client_id_metadata_document_supported"] = true;
            return ValueTask.CompletedTask;
        }).SetOrder(OpenIddictServerHandlers.Discovery.AttachEndpoints.Descriptor.Order - 1));

        server.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler
            .UseScopedHandler<ClientMetadataResolver>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateAuthentication.Descriptor.Order - 500));

        server.AddEventHandler<HandleRevocationRequestContext>(handler => handler
            .UseScopedHandler<RevokeGrant>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1));
    }

    /// <summary>After a token is revoked (RFC 7009), its grant and every other token of the grant go too: access tokens stop at once.</summary>
    private sealed class RevokeGrant(IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens) : IOpenIddictServerHandler<HandleRevocationRequestContext>
    {
        public async ValueTask HandleAsync(HandleRevocationRequestContext context)
        {
            if (context.IsRejected || context.GenericTokenPrincipal.GetAuthorizationId() is not { Length: > 0 } id)
            {
                return;
            }

            if (await authorizations.FindByIdAsync(id, context.CancellationToken) is { } authorization)
            {
                await authorizations.TryRevokeAsync(authorization, context.CancellationToken);
            }

            await tokens.RevokeByAuthorizationIdAsync(id, context.CancellationToken);
        }
    }
}
