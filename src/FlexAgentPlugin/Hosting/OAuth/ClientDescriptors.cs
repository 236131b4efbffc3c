using System.Text.Json;
using FlexAgentPlugin.Backends.OAuthStore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>Which door a client's tokens open: the MCP endpoint, or the GPT Action API.</summary>
public enum ClientDoor
{
    Mcp,
    Api,
}

/// <summary>
/// What every client of the built-in server may do, whoever registered it: the authorization code flow (with PKCE for
/// MCP clients), refresh tokens, revocation, the <c>human_agent</c> scope and the one resource its door is. Where it came
/// from (<c>config</c>, <c>dcr</c>, <c>cimd</c>) and its door are kept as properties.
/// </summary>
public static class ClientDescriptors
{
    public const string DoorProperty = "door";

    public static OpenIddictApplicationDescriptor Create(
        SignInSettings settings, string clientId, string? secret, string? displayName, IEnumerable<Uri> redirectUris, ClientDoor door, string source, string applicationType)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = secret is null ? ClientTypes.Public : ClientTypes.Confidential,
            ApplicationType = applicationType,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = displayName,
        };
        foreach (var uri in redirectUris)
        {
            descriptor.RedirectUris.Add(uri);
        }

        descriptor.Permissions.UnionWith([
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            Permissions.Prefixes.Scope + SignInSettings.AgentScope, Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            Permissions.Prefixes.Resource + Resource(settings, door),
        ]);

        // GPT Actions send no PKCE; their clients are confidential (a secret is required for them).
        if (door == ClientDoor.Mcp)
        {
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        descriptor.Properties[OAuthApplicationStore.SourceProperty] = JsonSerializer.SerializeToElement(source);
        descriptor.Properties[DoorProperty] = JsonSerializer.SerializeToElement(door == ClientDoor.Mcp ? "mcp" : "api");
        return descriptor;
    }

    /// <summary>The resource (the tokens' audience) of a door.</summary>
    public static string Resource(SignInSettings settings, ClientDoor door) => door == ClientDoor.Mcp ? settings.McpResource : settings.ApiResource;

    /// <summary>The door a stored client opens (MCP unless it says otherwise).</summary>
    public static async Task<ClientDoor> DoorOfAsync(IOpenIddictApplicationManager applications, object application, CancellationToken cancellationToken) =>
        (await applications.GetPropertiesAsync(application, cancellationToken)).TryGetValue(DoorProperty, out var door) && door.ValueKind == JsonValueKind.String
            && door.GetString() == "api"
            ? ClientDoor.Api
            : ClientDoor.Mcp;
}
