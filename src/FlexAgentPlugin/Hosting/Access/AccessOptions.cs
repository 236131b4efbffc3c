namespace FlexAgentPlugin.Hosting.Access;

/// <summary>Who may call the API and how often.</summary>
public sealed class AccessOptions
{
    /// <summary>When set, the API requires <c>Authorization: Bearer {token}</c>.</summary>
    [ConfigurationKeyName("PLUGIN_BEARER_TOKEN")]
    public string? BearerToken { get; set; }

    /// <summary>The token OpenAI gives for a plugin with service-level auth, published in the manifest.</summary>
    [ConfigurationKeyName("OPENAI_VERIFICATION_TOKEN")]
    public string? OpenAiVerificationToken { get; set; }

    /// <summary>Calls per minute one client address may make to the API.</summary>
    [ConfigurationKeyName("RATE_LIMIT_PER_ADDRESS")]
    public int PerAddressPerMinute { get; set; } = 300;

    public bool RequiresKey => !string.IsNullOrWhiteSpace(BearerToken);
}
