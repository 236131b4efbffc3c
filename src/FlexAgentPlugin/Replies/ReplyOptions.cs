namespace FlexAgentPlugin.Replies;

/// <summary>How often the relay looks for the agent's answer.</summary>
public sealed class ReplyOptions
{
    [ConfigurationKeyName("POLL_INTERVAL_SECONDS")]
    public double PollIntervalSeconds { get; set; } = 15;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);
}
