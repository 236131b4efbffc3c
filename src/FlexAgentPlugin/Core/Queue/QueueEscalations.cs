using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.State;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>
/// With ESCALATE_AFTER_SECONDS, every statistics interval looks at the workflow's waiting tasks (the shared snapshot, no
/// read of its own) and escalates each one that has waited that long: its attributes gain
/// <c>escalation: {queue_sid, after_seconds, escalated_at}</c>, on which TaskRouter evaluates the workflow again, so a
/// filter on it moves the task to ESCALATE_TO_QUEUE_SID. Once per task: a task that carries the attribute is left
/// alone, and a shared claim keeps two instances from escalating it together. The Twilio client and the store are
/// taken from <paramref name="services"/> at the first look, after the server has started: a hosted service built
/// with them would build the Twilio client while the host is still starting.
/// </summary>
public sealed partial class QueueEscalations(
    IServiceProvider services,
    IOptions<QueueOptions> options,
    IOptions<RoutingOptions> routing,
    TimeProvider clock,
    ILogger<QueueEscalations> logger) : BackgroundService
{
    public const string Attribute = "escalation";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.EscalateAfter is not { } after || !options.Value.ReadsStatistics || !routing.Value.HasInteractionSids)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(options.Value.StatisticsInterval, clock, stoppingToken);
                try
                {
                    await EscalateDueAsync(after, stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    Failed(logger, error.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }

    private async Task EscalateDueAsync(TimeSpan after, CancellationToken cancellationToken)
    {
        var (snapshots, statistics, claims) =
            (services.GetRequiredService<QueueSnapshots>(), services.GetRequiredService<IQueueStatistics>(), services.GetRequiredService<IEventClaims>());
        if (await snapshots.CurrentAsync(cancellationToken) is not { } snapshot)
        {
            return;
        }

        var target = options.Value.EscalateToQueueSid!.Trim();
        foreach (var task in snapshot.Tasks.Where(t => clock.GetUtcNow() - t.Created >= after && t.QueueSid != target))
        {
            if (Parse(task.Attributes) is not { } attributes || attributes.ContainsKey(Attribute) || !await claims.TryClaimAsync($"escalate:{task.Sid}", cancellationToken))
            {
                continue;
            }

            attributes[Attribute] = new JsonObject
            {
                ["queue_sid"] = target,
                ["after_seconds"] = (int)after.TotalSeconds,
                ["escalated_at"] = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            };
            await statistics.UpdateTaskAttributesAsync(routing.Value.WorkspaceSid!, task.Sid, attributes.ToJsonString(), cancellationToken);
            Escalated(logger, task.Sid, task.ConversationSid ?? "(unknown)", target);
        }
    }

    private static JsonObject? Parse(string attributes)
    {
        try
        {
            return JsonNode.Parse(attributes) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Escalated task {TaskSid} (conversation {ConversationSid}), unanswered too long, to queue {QueueSid}")]
    private static partial void Escalated(ILogger logger, string taskSid, string conversationSid, string queueSid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalating the tasks waiting too long failed ({Failure}); the next interval tries again")]
    private static partial void Failed(ILogger logger, string failure);
}
