using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Routing;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>The waiting customer's queue: settings (validated at start), the shared statistics snapshot, notices and escalations.</summary>
public static class QueueSetup
{
    public static IServiceCollection AddCustomerWait(this IServiceCollection services)
    {
        services.AddOptions<QueueOptions>()
            .BindEnvironment()
            .Validate(o => o.StatisticsSeconds == 0 || o.StatisticsSeconds is >= 1 and <= 3600,
                "QUEUE_STATISTICS_SECONDS must be 0 (no statistics) or a number of seconds from 1 to 3600.")
            .Validate(o => string.IsNullOrWhiteSpace(o.BusinessHours) || BusinessHours.Parse(o.BusinessHours) is not null,
                "BUSINESS_HOURS must be days and hours followed by a time zone, such as Mon-Fri 09:00-17:00 America/New_York (several ranges separated by commas, e.g. Mon-Fri 09:00-17:00, Sat 10:00-14:00 Europe/London).")
            .Validate(o => o.EscalateAfterSeconds is >= 0 and <= 604_800,
                "ESCALATE_AFTER_SECONDS must be a number of seconds from 0 (never) to 604800 (a week).")
            .Validate(o => Settings.IsSidOrEmpty(o.EscalateToQueueSid?.Trim(), "WQ"),
                "ESCALATE_TO_QUEUE_SID must be a TaskRouter task queue SID: WQ followed by 32 hexadecimal characters.")
            .Validate(o => o.EscalateAfter is null || !string.IsNullOrWhiteSpace(o.EscalateToQueueSid),
                "ESCALATE_AFTER_SECONDS needs ESCALATE_TO_QUEUE_SID, the task queue (WQ…) an unanswered conversation is escalated to.")
            .Validate<IOptions<RoutingOptions>>((o, routing) => o.EscalateAfter is null || (routing.Value.HasInteractionSids && o.ReadsStatistics),
                "ESCALATE_AFTER_SECONDS needs FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID (the workflow whose tasks are watched) and QUEUE_STATISTICS_SECONDS above 0.")
            .ValidateOnStart();
        services.AddSingleton<QueueSnapshots>();
        services.AddSingleton<IQueueNotices, QueueNotices>();
        services.AddSingleton<CustomerWait>();
        services.AddHostedService<QueueEscalations>();
        return services;
    }
}
