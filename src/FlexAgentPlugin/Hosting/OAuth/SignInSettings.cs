using System.Net;
using FlexAgentPlugin.Core.Callbacks;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>Who signs people in: nobody, this server (built-in), or an external authorization server.</summary>
public enum SignInKind
{
    Off,
    BuiltIn,
    External,
}

/// <summary>
/// How sign-in is set up, decided from the settings before anything else is (it decides what is registered): the kind,
/// the public base URL (the canonical resource <c>{base}/mcp</c> that tokens must be for), the issuer and the scope.
/// </summary>
public sealed record SignInSettings(SignInKind Kind, string BaseUrl, string Issuer, string Scope)
{
    /// <summary>The scope the built-in server grants, and the one an external token carries unless OAUTH_SCOPE says otherwise.</summary>
    public const string AgentScope = "human_agent";

    public static readonly SignInSettings Off = new(SignInKind.Off, "", "", AgentScope);

    public bool IsOn => Kind != SignInKind.Off;

    public bool IsBuiltIn => Kind == SignInKind.BuiltIn;

    /// <summary>The MCP endpoint's canonical URL (RFC 8707), the audience of its tokens.</summary>
    public string McpResource => BaseUrl + "/mcp";

    /// <summary>The GPT Action API's resource (<c>/send</c>, <c>/replies</c>), the audience of a GPT's tokens.</summary>
    public string ApiResource => BaseUrl + "/";

    /// <summary>The protected resource metadata of <c>/mcp</c> (RFC 9728), where clients find the authorization server.</summary>
    public string ResourceMetadataUrl => BaseUrl + "/.well-known/oauth-protected-resource/mcp";

    /// <summary>
    /// The decision, or the sentences that stop the start. <paramref name="sandboxBaseUrl"/> is the sandbox's own address,
    /// which stands for the public URL when none is configured.
    /// </summary>
    public static (SignInSettings Settings, IReadOnlyList<string> Refusals) Decide(IConfiguration configuration, string? sandboxBaseUrl)
    {
        var options = configuration.Get<OAuthOptions>() ?? new OAuthOptions();
        var urls = configuration.Get<PublicUrlOptions>() ?? new PublicUrlOptions();
        var switchValue = options.Switch?.Trim().ToLowerInvariant();
        if (switchValue is "off" or "false")
        {
            return (Off, []);
        }

        if (switchValue is not (null or "" or "on" or "true"))
        {
            return (Off, [$"OAUTH must be on or off, but it is '{options.Switch}'."]);
        }

        var required = switchValue is "on" or "true";
        var baseUrl = urls.ConfiguredBaseUrl ?? sandboxBaseUrl?.TrimEnd('/');
        var authority = options.Authority?.Trim();
        if (baseUrl is null)
        {
            return string.IsNullOrEmpty(authority) && !required
                ? (Off, [])
                : (Off, ["Sign-in needs the server's public URL, which tokens are issued for: set PUBLIC_BASE_URL (e.g. https://abc123.ngrok.app), or OAUTH=off."]);
        }

        var scope = string.IsNullOrWhiteSpace(options.Scope) ? AgentScope : options.Scope.Trim();
        if (!string.IsNullOrEmpty(authority))
        {
            return IsHttpsOrLocal(authority)
                ? (new SignInSettings(SignInKind.External, baseUrl, authority, scope), [])
                : (Off, ["OAUTH_AUTHORITY must be the authorization server's https URL (its issuer), such as https://example.auth0.com/; only a URL on this machine may be http."]);
        }

        return IsHttpsOrLocal(baseUrl)
            ? (new SignInSettings(SignInKind.BuiltIn, baseUrl, baseUrl + "/", AgentScope), [])
            : (Off, ["PUBLIC_BASE_URL must be https for sign-in (only a URL on this machine may be http): use your https address, or set OAUTH=off to run without sign-in."]);
    }

    /// <summary>True for an absolute https URL, or an http one on this machine (loopback).</summary>
    public static bool IsHttpsOrLocal(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || IsLoopbackName(uri.Host))));

    private static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>What the start report says of sign-in.</summary>
    public static string Describe(SignInSettings settings) => settings.Kind switch
    {
        SignInKind.BuiltIn => $"built-in (phone or email by Twilio Verify), issuer {settings.Issuer}",
        SignInKind.External => $"tokens from {settings.Issuer}",
        _ => "off",
    };
}
