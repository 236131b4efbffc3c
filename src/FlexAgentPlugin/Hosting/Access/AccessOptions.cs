namespace FlexAgentPlugin.Hosting.Access;

/// <summary>Who may call the API and how often.</summary>
public sealed class AccessOptions
{
    private IReadOnlyList<ApiKey>? keys;
    private IReadOnlyList<ApiKey>? agentKeys;

    /// <summary>The single-key shorthand: when set, the API requires <c>Authorization: Bearer {token}</c> (the key named "default").</summary>
    [ConfigurationKeyName("PLUGIN_BEARER_TOKEN")]
    public string? BearerToken { get; set; }

    /// <summary>Several named keys, <c>name=token</c> pairs separated by commas: each caller its own key, identity and limit.</summary>
    [ConfigurationKeyName("API_KEYS")]
    public string? ApiKeys { get; set; }

    /// <summary>Keys for agents' tools only (voice assist), <c>name=token</c> pairs like API_KEYS; they do not open the API.</summary>
    [ConfigurationKeyName("VOICE_AGENT_KEYS")]
    public string? VoiceAgentKeys { get; set; }

    /// <summary>The token OpenAI gives for a plugin with service-level auth, published in the manifest.</summary>
    [ConfigurationKeyName("OPENAI_VERIFICATION_TOKEN")]
    public string? OpenAiVerificationToken { get; set; }

    /// <summary>Calls per minute one caller may make: one client address, or one API key when the caller presents one.</summary>
    [ConfigurationKeyName("RATE_LIMIT_PER_ADDRESS")]
    public int PerAddressPerMinute { get; set; } = 300;

    /// <summary>Every configured key: API_KEYS, and PLUGIN_BEARER_TOKEN as the key named "default" (valid once validated).</summary>
    public IReadOnlyList<ApiKey> Keys => keys ??= ApiKey.Parse(ApiKeys, BearerToken).Keys;

    public bool RequiresKey => Keys.Count > 0;

    /// <summary>VOICE_AGENT_KEYS' keys (valid once validated).</summary>
    public IReadOnlyList<ApiKey> AgentKeys => agentKeys ??= ApiKey.Parse(VoiceAgentKeys, null).Keys;
}
