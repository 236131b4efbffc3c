namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// Sign-in settings. With none, the built-in authorization server signs people in whenever the server knows its public
/// URL; <c>OAUTH=off</c> turns sign-in off; <c>OAUTH_AUTHORITY</c> takes tokens from another authorization server instead.
/// </summary>
public sealed class OAuthOptions
{
    /// <summary><c>off</c> (no sign-in at all), or <c>on</c> (sign-in required: the start stops if it cannot be on).</summary>
    [ConfigurationKeyName("OAUTH")]
    public string? Switch { get; set; }

    /// <summary>An external authorization server's issuer URL, whose metadata and keys are discovered.</summary>
    [ConfigurationKeyName("OAUTH_AUTHORITY")]
    public string? Authority { get; set; }

    /// <summary>The audience the external server writes in its tokens; default <c>{PUBLIC_BASE_URL}/mcp</c>.</summary>
    [ConfigurationKeyName("OAUTH_AUDIENCE")]
    public string? Audience { get; set; }

    /// <summary>The claim of an external token that names the person (default <c>sub</c>).</summary>
    [ConfigurationKeyName("OAUTH_USER_CLAIM")]
    public string? UserClaim { get; set; }

    /// <summary>The scope an external token must carry (default <c>human_agent</c>).</summary>
    [ConfigurationKeyName("OAUTH_SCOPE")]
    public string? Scope { get; set; }

    /// <summary>Pre-registered clients of the built-in server: <c>client_id|secret|redirect_uri[ redirect_uri…]|door[|name]</c>, comma-separated.</summary>
    [ConfigurationKeyName("OAUTH_CLIENTS")]
    public string? Clients { get; set; }
}
