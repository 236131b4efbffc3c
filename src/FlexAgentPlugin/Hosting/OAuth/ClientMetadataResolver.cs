using System.Data.Common;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// Before OpenIddict looks the client up, a client_id that is a URL is resolved: its metadata document is fetched
/// (again once the time it may be kept is over) and stored as a public MCP client with PKCE, so OpenIddict's own checks
/// of the redirect URI, PKCE and permissions run on it unchanged. A document that cannot be used is <c>invalid_client</c>
/// with the reason; the browser is never sent to an unchecked redirect URI.
/// </summary>
public sealed class ClientMetadataResolver(
    ClientMetadataDocuments documents,
    IOpenIddictApplicationManager applications,
    SignInSettings settings,
    IOptions<ClientMetadataOptions> options,
    TimeProvider clock) : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    private const string FetchedProperty = "fetched_at";
    private const string KeepProperty = "keep_seconds";

    public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var clientId = context.ClientId;
        if (!ClientMetadataDocuments.IsDocumentUrl(clientId))
        {
            return;
        }

        var cancellationToken = context.CancellationToken;
        var stored = await applications.FindByClientIdAsync(clientId!, cancellationToken);
        if (stored is not null && await IsFreshAsync(stored, cancellationToken))
        {
            return;
        }

        var (client, problem) = await documents.FetchAsync(clientId!, options.Value.AllowLoopback, cancellationToken);
        if (client is null)
        {
            context.Reject(Errors.InvalidClient, problem);
            return;
        }

        var descriptor = ClientDescriptors.Create(settings, clientId!, secret: null, client.Metadata.ClientName ?? new Uri(clientId!).Host,
            client.Metadata.RedirectUris, ClientDoor.Mcp, "cimd", client.Metadata.ApplicationType);
        descriptor.Properties[FetchedProperty] = JsonSerializer.SerializeToElement(clock.GetUtcNow().ToUnixTimeSeconds());
        descriptor.Properties[KeepProperty] = JsonSerializer.SerializeToElement((long)client.KeepFor.TotalSeconds);
        try
        {
            if (stored is null)
            {
                await applications.CreateAsync(descriptor, cancellationToken);
            }
            else
            {
                await applications.UpdateAsync(stored, descriptor, cancellationToken);
            }
        }
        catch (Exception error) when (error is DbException or OpenIddictExceptions.ConcurrencyException or OpenIddictExceptions.ValidationException)
        {
            // Another request (or instance) stored the same client meanwhile: its row stands.
        }
    }

    private async Task<bool> IsFreshAsync(object application, CancellationToken cancellationToken)
    {
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        return properties.TryGetValue(FetchedProperty, out var fetched) && fetched.TryGetInt64(out var at)
            && properties.TryGetValue(KeepProperty, out var keep) && keep.TryGetInt64(out var seconds)
            && clock.GetUtcNow() < DateTimeOffset.FromUnixTimeSeconds(at).AddSeconds(seconds);
    }
}
