using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>
/// Where a waiting customer stands, from the shared TaskRouter snapshot (<see cref="QueueSnapshots"/>) and the agents'
/// hours: their place in line and the wait to expect, or that no agent is there and when they are back. Only ever an
/// extra: a failure to read TaskRouter or the store is logged and answers "unknown" (null), never fails the customer's call.
/// </summary>
public sealed partial class CustomerWait(
    QueueSnapshots snapshots,
    IQueueNotices notices,
    IOptions<QueueOptions> options,
    TimeProvider clock,
    ILogger<CustomerWait> logger)
{
    private readonly BusinessHours? hours = string.IsNullOrWhiteSpace(options.Value.BusinessHours) ? null : BusinessHours.Parse(options.Value.BusinessHours);

    /// <summary>The conversation's place in line, if it waits in TaskRouter (recorded as told: the caller passes it on).</summary>
    public async Task<QueuePlace?> PlaceAsync(string conversationSid, CancellationToken cancellationToken)
    {
        if (await SnapshotAsync(cancellationToken) is not { } snapshot || snapshot.PlaceOf(conversationSid) is not { } place)
        {
            return null;
        }

        try
        {
            await notices.RecordAsync(conversationSid, place, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store may be failing, or closing with a stopping server: the place is still worth telling.
            NotRecorded(logger, error.Message);
        }

        return place;
    }

    /// <summary>No agent there: outside BUSINESS_HOURS, or TaskRouter counts no available worker in the workflow's queues; else null.</summary>
    public async Task<AgentsAway?> AwayAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (hours is not null && !hours.IsOpen(now))
        {
            var back = TimeZoneInfo.ConvertTime(hours.NextOpening(now), hours.Zone);
            return new AgentsAway(back, hours.Zone.Id, QueueWords.Away(back, hours.Zone.Id, now));
        }

        return await SnapshotAsync(cancellationToken) is { Queues.Count: > 0 } snapshot && snapshot.AvailableWorkers == 0
            ? new AgentsAway(null, null, QueueWords.Away(null, null, now))
            : null;
    }

    private async Task<QueueSnapshot?> SnapshotAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await snapshots.CurrentAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Unread(logger, "TaskRouter's statistics", error.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "What the customer is told about their wait could not be recorded ({Failure})")]
    private static partial void NotRecorded(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The customer's place in line is not known: {Failed} could not be read ({Failure})")]
    private static partial void Unread(ILogger logger, string failed, string failure);
}
