namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>The MCP endpoint's settings.</summary>
public sealed class McpOptions
{
    /// <summary>The longest an MCP tool call waits at most: Claude's clients give up on a tool call after 60 s.</summary>
    public const int MaxWaitSeconds = 50;

    /// <summary>How long <c>ask_human_agent</c> waits for the agent before answering "pending" (1 to 50 seconds).</summary>
    [ConfigurationKeyName("MCP_REPLY_TIMEOUT_SECONDS")]
    public int ReplyTimeoutSeconds { get; set; } = MaxWaitSeconds;

    /// <summary>
    /// Browser origins (<c>https://host[:port]</c>, comma-separated) allowed to call <c>/mcp</c> besides this machine's own
    /// pages and the public URL. Requests without an Origin header (every non-browser client) are not affected.
    /// </summary>
    [ConfigurationKeyName("MCP_ALLOWED_ORIGINS")]
    public string? AllowedOrigins { get; set; }

    public TimeSpan ReplyTimeout => TimeSpan.FromSeconds(ReplyTimeoutSeconds);
}
