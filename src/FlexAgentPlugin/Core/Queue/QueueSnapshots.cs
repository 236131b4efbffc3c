using System.Text.Json;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.State;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>
/// The workflow's queue as TaskRouter last reported it, read at most once per QUEUE_STATISTICS_SECONDS however many
/// customers wait, on however many instances: a snapshot younger than the interval is used as it is (this process's
/// copy, else the one in the shared store); an older one is replaced by the one instance that wins the interval's read
/// (a shared rate window of one, with several instances), while the others keep using the older one. Reads in this process run once for all
/// who ask meanwhile. Failures are the caller's to absorb (see <see cref="CustomerWait"/>).
/// </summary>
public sealed class QueueSnapshots(
    IQueueStatistics statistics,
    ISharedSnapshots shared,
    IRateWindows windows,
    IOptions<QueueOptions> options,
    IOptions<RoutingOptions> routing,
    TimeProvider clock)
{
    /// <summary>The window over which TaskRouter's cumulative statistics give the recent average wait.</summary>
    public static readonly TimeSpan Recent = TimeSpan.FromHours(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Lock gate = new();
    private QueueSnapshot? latest;
    private Task<QueueSnapshot?>? reading;
    private IReadOnlyList<string>? queues;

    /// <summary>True when there is a workflow to read and reading is on.</summary>
    public bool IsOn => options.Value.ReadsStatistics && routing.Value.HasInteractionSids;

    private string Key => $"queue:{routing.Value.WorkflowSid}";

    /// <summary>The newest snapshot no older than the interval when one can be had, else the newest known (null: none yet).</summary>
    public Task<QueueSnapshot?> CurrentAsync(CancellationToken cancellationToken)
    {
        if (!IsOn)
        {
            return Task.FromResult<QueueSnapshot?>(null);
        }

        lock (gate)
        {
            if (latest is { } known && IsFresh(known))
            {
                return Task.FromResult<QueueSnapshot?>(known);
            }

            // Started apart, so a read that completes at once cannot clear the field before it is set.
            reading ??= Task.Run(ReadOnceAsync);
            return reading.WaitAsync(cancellationToken);
        }
    }

    private bool IsFresh(QueueSnapshot snapshot) => clock.GetUtcNow() - snapshot.ReadAt < options.Value.StatisticsInterval;

    private async Task<QueueSnapshot?> ReadOnceAsync()
    {
        try
        {
            var found = await ReadSharedOrTwilioAsync();
            lock (gate)
            {
                if (found is not null && (latest is null || found.ReadAt >= latest.ReadAt))
                {
                    latest = found;
                }

                return latest;
            }
        }
        finally
        {
            lock (gate)
            {
                reading = null;
            }
        }
    }

    private async Task<QueueSnapshot?> ReadSharedOrTwilioAsync()
    {
        var stored = await shared.FindSnapshotAsync(Key, CancellationToken.None) is { } row ? JsonSerializer.Deserialize<QueueSnapshot>(row.Body, Json) : null;
        if (stored is not null && IsFresh(stored))
        {
            return stored;
        }

        // One process reads once already (above); several share the interval's read through the store's window.
        if (windows.IsShared && await windows.TryTakeAsync($"read:{Key}", 1, options.Value.StatisticsInterval, CancellationToken.None) is not null)
        {
            return stored;
        }

        var read = await ReadTwilioAsync();
        await shared.SaveSnapshotAsync(Key, JsonSerializer.Serialize(read, Json), CancellationToken.None);
        return read;
    }

    /// <summary>The waiting tasks, and each queue's figures (the workflow's queues, and any queue a task waits in).</summary>
    private async Task<QueueSnapshot> ReadTwilioAsync()
    {
        var (workspace, workflow) = (routing.Value.WorkspaceSid!, routing.Value.WorkflowSid!);
        var readAt = clock.GetUtcNow();
        queues ??= await statistics.WorkflowQueuesAsync(workspace, workflow, CancellationToken.None);
        var tasks = await statistics.WaitingTasksAsync(workspace, workflow, CancellationToken.None);
        var figures = await Task.WhenAll(queues.Union(tasks.Select(t => t.QueueSid)).Distinct(StringComparer.Ordinal)
            .Select(queue => statistics.QueueFiguresAsync(workspace, queue, Recent, CancellationToken.None)));
        return new QueueSnapshot(readAt, figures, tasks);
    }
}
