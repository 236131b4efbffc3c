using System.Data.Common;
using FlexAgentPlugin.Backends.OAuthStore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>A client of OAUTH_CLIENTS: ChatGPT's "predefined client" form, or a Custom GPT's Action.</summary>
public sealed record ConfiguredClient(string ClientId, string? Secret, IReadOnlyList<Uri> RedirectUris, ClientDoor Door, string? Name)
{
    public const int MinSecretLength = 16;

    /// <summary>
    /// The clients of OAUTH_CLIENTS (<c>client_id|secret|redirect_uri[ redirect_uri…]|mcp or api[|name]</c>, comma-separated;
    /// an empty secret makes a public client), or the one sentence that says what is wrong, naming the entry.
    /// </summary>
    public static (IReadOnlyList<ConfiguredClient> Clients, string? Problem) Parse(string? setting)
    {
        var clients = new List<ConfiguredClient>();
        var position = 0;
        foreach (var entry in (setting ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            position++;
            var fields = entry.Split('|', StringSplitOptions.TrimEntries);
            var id = fields[0];
            string Problem(string why) => $"OAUTH_CLIENTS entry {position}{(id.Length is > 0 and <= 100 ? $" ({id})" : "")}: {why}";
            if (fields.Length is < 4 or > 5)
            {
                return ([], Problem("write client_id|secret|redirect URIs separated by spaces|mcp or api|name (the name may be left out), e.g. chatgpt|<secret>|https://chatgpt.com/connector_platform_oauth_redirect|mcp|ChatGPT."));
            }

            if (id.Length is 0 or > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
                || id.StartsWith("dcr_", StringComparison.Ordinal))
            {
                return ([], Problem("the client_id must be 1 to 100 letters, digits or - _ . ~ characters, and not begin with dcr_ (kept for clients that register themselves)."));
            }

            var secret = fields[1].Length == 0 ? null : fields[1];
            var door = fields[3] switch { "mcp" => ClientDoor.Mcp, "api" => ClientDoor.Api, _ => (ClientDoor?)null };
            if (door is null)
            {
                return ([], Problem("the fourth field must be mcp (an MCP client such as ChatGPT's connector) or api (a Custom GPT's Action)."));
            }

            if (secret is { Length: < MinSecretLength })
            {
                return ([], Problem($"the secret must be at least {MinSecretLength} characters (e.g. openssl rand -hex 32), or empty for a public client."));
            }

            if (secret is null && door == ClientDoor.Api)
            {
                return ([], Problem("a GPT Action's client (api) needs a secret: GPT Actions send no PKCE, so the secret is what proves them."));
            }

            var redirects = fields[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ClientMetadataRules.RedirectUri).ToList();
            if (redirects.Count is 0 or > ClientMetadataRules.MaxRedirectUris || redirects.Any(r => r is null))
            {
                return ([], Problem("list 1 to 10 redirect URIs separated by spaces, each an absolute https URL (http only on localhost) without a fragment."));
            }

            var name = fields.Length == 5 && fields[4].Length > 0 ? fields[4] : null;
            if (name is { Length: > ClientMetadataRules.MaxNameLength })
            {
                return ([], Problem($"the name must be at most {ClientMetadataRules.MaxNameLength} characters."));
            }

            if (clients.Any(c => c.ClientId == id))
            {
                return ([], Problem("this client_id is listed twice."));
            }

            clients.Add(new ConfiguredClient(id, secret, [.. redirects.OfType<Uri>()], door.Value, name));
        }

        return (clients, null);
    }
}

/// <summary>
/// Makes the stored pre-registered clients match OAUTH_CLIENTS at start: new ones are created, listed ones updated
/// (secret, redirect URIs, door, name), and ones no longer listed are deleted with their grants and tokens.
/// </summary>
public sealed class ConfiguredClientsSync(
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    OAuthApplicationStore stored,
    SignInSettings settings,
    IOptions<OAuthOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clients = ConfiguredClient.Parse(options.Value.Clients).Clients;
        foreach (var client in clients)
        {
            var descriptor = ClientDescriptors.Create(settings, client.ClientId, client.Secret, client.Name ?? client.ClientId, client.RedirectUris,
                client.Door, "config", ApplicationTypes.Web);
            try
            {
                await SaveAsync(descriptor, cancellationToken);
            }
            catch (Exception error) when (error is DbException or OpenIddictExceptions.ConcurrencyException or OpenIddictExceptions.ValidationException)
            {
                // Another instance starting at the same moment saved it first: save over its row.
                await SaveAsync(descriptor, cancellationToken);
            }
        }

        foreach (var gone in (await stored.ClientIdsAsync("config", cancellationToken)).Except(clients.Select(c => c.ClientId), StringComparer.Ordinal))
        {
            if (await applications.FindByClientIdAsync(gone, cancellationToken) is { } application && await applications.GetIdAsync(application, cancellationToken) is { } id)
            {
                await tokens.RevokeByApplicationIdAsync(id, cancellationToken);
                await authorizations.RevokeByApplicationIdAsync(id, cancellationToken);
                await applications.DeleteAsync(application, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SaveAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is { } existing)
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
        else
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
    }
}
