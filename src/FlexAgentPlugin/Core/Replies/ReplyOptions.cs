namespace FlexAgentPlugin.Core.Replies;

/// <summary>How long a caller waits for the agent, and how often the relay looks when no event arrives.</summary>
public sealed class ReplyOptions
{
    /// <summary>Seconds between two looks at the conversation when no webhook wakes the wait (the fallback).</summary>
    [ConfigurationKeyName("POLL_INTERVAL_SECONDS")]
    public double PollIntervalSeconds { get; set; } = 15;

    /// <summary>Longest wait of one call, under GPT Actions' 45 s; 0 waits until a reply or close, as the original did.</summary>
    [ConfigurationKeyName("REPLY_TIMEOUT_SECONDS")]
    public double ReplyTimeoutSeconds { get; set; } = 40;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);

    /// <summary>The longest wait, or null for no limit.</summary>
    public TimeSpan? ReplyTimeout => ReplyTimeoutSeconds > 0 ? TimeSpan.FromSeconds(ReplyTimeoutSeconds) : null;
}
