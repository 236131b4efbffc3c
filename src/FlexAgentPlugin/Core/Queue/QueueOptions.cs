namespace FlexAgentPlugin.Core.Queue;

/// <summary>
/// What a waiting customer is told and when a wait is too long: how often TaskRouter's statistics are read at most
/// (QUEUE_STATISTICS_SECONDS, shared by every waiter and every instance), the agents' hours (BUSINESS_HOURS), and the
/// escalation of a conversation unanswered for ESCALATE_AFTER_SECONDS to ESCALATE_TO_QUEUE_SID.
/// </summary>
public sealed class QueueOptions
{
    /// <summary>Seconds between two reads of the workflow's tasks and each queue's statistics; 0 turns the reads off.</summary>
    [ConfigurationKeyName("QUEUE_STATISTICS_SECONDS")]
    public double StatisticsSeconds { get; set; } = 5;

    /// <summary>When agents are there, e.g. <c>Mon-Fri 09:00-17:00 America/New_York</c>; unset: always (TaskRouter's available workers decide).</summary>
    [ConfigurationKeyName("BUSINESS_HOURS")]
    public string? BusinessHours { get; set; }

    /// <summary>Seconds a routed conversation may wait unanswered before it is escalated; 0 (the default) never escalates.</summary>
    [ConfigurationKeyName("ESCALATE_AFTER_SECONDS")]
    public double EscalateAfterSeconds { get; set; }

    /// <summary>The task queue (WQ…) an escalated task is meant for, recorded in its attributes for the workflow to route on.</summary>
    [ConfigurationKeyName("ESCALATE_TO_QUEUE_SID")]
    public string? EscalateToQueueSid { get; set; }

    public TimeSpan StatisticsInterval => TimeSpan.FromSeconds(StatisticsSeconds);

    public bool ReadsStatistics => StatisticsSeconds > 0;

    public TimeSpan? EscalateAfter => EscalateAfterSeconds > 0 ? TimeSpan.FromSeconds(EscalateAfterSeconds) : null;
}
