using System.Text.Json.Serialization;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>
/// What TaskRouter said about the workflow at <see cref="ReadAt"/>: its queues' figures and its waiting tasks. One
/// snapshot serves every waiting customer until the next read.
/// </summary>
public sealed record QueueSnapshot(DateTimeOffset ReadAt, IReadOnlyList<QueueFigures> Queues, IReadOnlyList<WaitingTask> Tasks)
{
    /// <summary>Workers available now across the workflow's queues.</summary>
    public int AvailableWorkers => Queues.Sum(q => q.AvailableWorkers);

    /// <summary>
    /// The conversation's place in its queue (1: next), counting the tasks TaskRouter serves before it (a higher priority,
    /// or the same and older), and the wait to expect; null when the conversation has no waiting task.
    /// </summary>
    public QueuePlace? PlaceOf(string conversationSid)
    {
        if (Tasks.FirstOrDefault(t => t.ConversationSid == conversationSid) is not { } task)
        {
            return null;
        }

        var position = 1 + Tasks.Count(t => t.QueueSid == task.QueueSid && t.Sid != task.Sid
            && (t.Priority > task.Priority || (t.Priority == task.Priority && t.Created < task.Created)));
        return new QueuePlace(position, ExpectedWait(task, position));
    }

    /// <summary>
    /// The queue's recent average wait for each round of its eligible agents the customer waits for (places ahead, and
    /// their own), less what they have waited already; null when TaskRouter has no recent average.
    /// </summary>
    private int? ExpectedWait(WaitingTask task, int position)
    {
        if (Queues.FirstOrDefault(q => q.QueueSid == task.QueueSid) is not { AverageWaitSeconds: { } average } queue)
        {
            return null;
        }

        var rounds = (position + Math.Max(1, queue.EligibleWorkers) - 1) / Math.Max(1, queue.EligibleWorkers);
        var waited = (int)Math.Max(0, (ReadAt - task.Created).TotalSeconds);
        return Math.Max(0, rounds * average - waited);
    }
}

/// <summary>A customer's place in line (1: next) and the wait to expect in seconds (null when TaskRouter gives no basis for one).</summary>
public sealed record QueuePlace(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("expected_wait_seconds")] int? ExpectedWaitSeconds);

/// <summary>
/// No agent is there: when they are back, in the agents' time zone (<see cref="TimeZone"/>), or null when TaskRouter
/// reports no available worker and no hours say when; and the sentence the customer is told.
/// </summary>
public sealed record AgentsAway(DateTimeOffset? BackAt, string? TimeZone, string Sentence);
