namespace FlexAgentPlugin.Core.Queue;

/// <summary>
/// A task waiting in TaskRouter for an agent: its SID, the queue it waits in, the conversation it is for (its
/// <c>conversationSid</c> attribute, as Flex sets it for Studio and Interactions alike), its priority, when it was made,
/// and its attributes as TaskRouter holds them (a JSON object).
/// </summary>
public sealed record WaitingTask(string Sid, string QueueSid, string? ConversationSid, int Priority, DateTimeOffset Created, string Attributes);

/// <summary>
/// One task queue's figures, as TaskRouter reports them: workers available now and eligible at all (real-time
/// statistics), and the recent average wait from creation until an agent accepted (cumulative statistics,
/// <c>avg_task_acceptance_time</c>; null when no task was accepted lately).
/// </summary>
public sealed record QueueFigures(string QueueSid, int AvailableWorkers, int EligibleWorkers, int? AverageWaitSeconds);

/// <summary>
/// What the server reads from TaskRouter about the workflow its conversations are routed with, and the one change it
/// makes there (an escalation). Implemented over Twilio's SDK; the engine never sees a Twilio type.
/// </summary>
public interface IQueueStatistics
{
    /// <summary>The task queues the workflow routes to (its filters' targets and its default queue).</summary>
    Task<IReadOnlyList<string>> WorkflowQueuesAsync(string workspaceSid, string workflowSid, CancellationToken cancellationToken);

    /// <summary>The workflow's tasks waiting for an agent (<c>pending</c>), oldest first.</summary>
    Task<IReadOnlyList<WaitingTask>> WaitingTasksAsync(string workspaceSid, string workflowSid, CancellationToken cancellationToken);

    /// <summary>The queue's real-time and recent (last <paramref name="recent"/>) cumulative figures.</summary>
    Task<QueueFigures> QueueFiguresAsync(string workspaceSid, string queueSid, TimeSpan recent, CancellationToken cancellationToken);

    /// <summary>Replaces the task's attributes (TaskRouter then evaluates the workflow again, which may move it to another queue).</summary>
    Task UpdateTaskAttributesAsync(string workspaceSid, string taskSid, string attributes, CancellationToken cancellationToken);
}
