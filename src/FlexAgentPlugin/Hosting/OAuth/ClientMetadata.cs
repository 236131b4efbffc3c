using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Users;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>A client's registration as it described itself (RFC 7591 request or client metadata document), checked.</summary>
public sealed record ClientMetadata(string? ClientName, IReadOnlyList<Uri> RedirectUris, string ApplicationType);

/// <summary>
/// The rules a client's own description must follow, for dynamic registration and metadata documents alike: public
/// clients only (no secret to keep), 1 to 10 redirect URIs that are https, http on this machine (a native app's loopback
/// listener) or an app's own scheme, never with a fragment; a name of at most 100 characters (shown as the client's
/// claim, never trusted). Each mistake is the RFC 7591 error code and one sentence.
/// </summary>
public static class ClientMetadataRules
{
    public const int MaxRedirectUris = 10;
    public const int MaxUriLength = 2000;
    public const int MaxNameLength = 100;

    /// <summary>Schemes no redirect may use: they run code, read files or are not addresses an app listens on.</summary>
    private static readonly string[] RefusedSchemes = ["javascript", "data", "file", "vbscript", "blob", "about", "ftp", "ws", "wss", "mailto", "tel", "sms"];

    /// <summary>The metadata, or the error (<c>invalid_redirect_uri</c> or <c>invalid_client_metadata</c>) and its sentence.</summary>
    public static (ClientMetadata? Metadata, string? Error, string? Problem) Check(JsonObject document)
    {
        if (document["token_endpoint_auth_method"] is { } method && (method.GetValueKind() != System.Text.Json.JsonValueKind.String || (string?)method != ClientAuthenticationMethods.None))
        {
            return Invalid("token_endpoint_auth_method must be \"none\": this server registers public clients only, which prove themselves with PKCE.");
        }

        if (document["grant_types"] is JsonArray grants && !grants.Any(g => g is JsonValue v && v.TryGetValue<string>(out var grant) && grant == GrantTypes.AuthorizationCode))
        {
            return Invalid("grant_types must include authorization_code.");
        }

        var name = document["client_name"] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => UserMessages.Clean(text).Trim(),
            _ => "",
        };
        if (name is { Length: 0 or > MaxNameLength })
        {
            return Invalid($"client_name must be a string of 1 to {MaxNameLength} characters.");
        }

        var applicationType = document["application_type"] switch
        {
            null => ApplicationTypes.Web,
            JsonValue value when value.TryGetValue<string>(out var type) && type is ApplicationTypes.Web or ApplicationTypes.Native => type,
            _ => null,
        };
        if (applicationType is null)
        {
            return Invalid("application_type must be \"web\" or \"native\".");
        }

        if (document["redirect_uris"] is not JsonArray listed || listed.Count is 0 or > MaxRedirectUris)
        {
            return Refuse("invalid_redirect_uri", $"redirect_uris must list 1 to {MaxRedirectUris} URIs the client receives the code at.");
        }

        var redirects = new List<Uri>();
        foreach (var entry in listed)
        {
            if (entry is not JsonValue value || !value.TryGetValue<string>(out var text) || RedirectUri(text) is not { } uri)
            {
                return Refuse("invalid_redirect_uri",
                    "Each redirect URI must be an absolute URI of at most 2,000 characters without a fragment: https, http on localhost or 127.0.0.1, or the app's own scheme.");
            }

            redirects.Add(uri);
        }

        return (new ClientMetadata(name, redirects, applicationType), null, null);
    }

    /// <summary>The redirect URI, when it is one a client may register.</summary>
    public static Uri? RedirectUri(string text)
    {
        if (text.Length is 0 or > MaxUriLength || text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Fragment.Length > 0 || text.Contains('#', StringComparison.Ordinal)
            || uri.UserInfo.Length > 0 || RefusedSchemes.Contains(uri.Scheme))
        {
            return null;
        }

        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && SignInSettings.IsHttpsOrLocal(text)) || !uri.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? uri
            : null;
    }

    private static (ClientMetadata?, string?, string?) Invalid(string problem) => Refuse("invalid_client_metadata", problem);

    private static (ClientMetadata?, string?, string?) Refuse(string error, string problem) => (null, error, problem);
}
