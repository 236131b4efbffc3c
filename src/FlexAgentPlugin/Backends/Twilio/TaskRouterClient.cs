using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Queue;
using Twilio.Base;
using Twilio.Http;
using Twilio.Rest;
using Twilio.Rest.Taskrouter.V1.Workspace;
using Twilio.Rest.Taskrouter.V1.Workspace.TaskQueue;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// TaskRouter through the SDK (<c>taskrouter.twilio.com/v1/Workspaces/…</c>): the workflow's configuration (for its
/// queues), its pending tasks (page by page, by hand as for messages: the SDK's own paging is synchronous), each
/// queue's real-time and cumulative statistics, and a task's attributes.
/// </summary>
public sealed class TaskRouterClient(TwilioApi api) : IQueueStatistics
{
    /// <summary>TaskRouter's largest page.</summary>
    private const int PageSize = 1000;

    /// <summary>Pages read at most per list: beyond 20,000 waiting tasks the later ones have no place.</summary>
    private const int MaxPages = 20;

    public async Task<IReadOnlyList<string>> WorkflowQueuesAsync(string workspaceSid, string workflowSid, CancellationToken cancellationToken)
    {
        var workflow = await api.CallAsync("fetch the TaskRouter workflow",
            client => WorkflowResource.FetchAsync(new FetchWorkflowOptions(workspaceSid, workflowSid), client), cancellationToken);
        return Queues(workflow.Configuration);
    }

    public async Task<IReadOnlyList<WaitingTask>> WaitingTasksAsync(string workspaceSid, string workflowSid, CancellationToken cancellationToken)
    {
        var options = new ReadTaskOptions(workspaceSid)
        {
            WorkflowSid = workflowSid,
            AssignmentStatus = ["pending"],
            Ordering = "DateCreated:asc",
            PageSize = PageSize,
        };
        var tasks = new List<WaitingTask>();
        string? next = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var url = next;
            var read = await api.CallAsync("list the waiting TaskRouter tasks", async client =>
            {
                var request = url is null
                    ? new Request(global::Twilio.Http.HttpMethod.Get, Domain.Taskrouter, $"/v1/Workspaces/{workspaceSid}/Tasks", queryParams: options.GetParams())
                    : new Request(global::Twilio.Http.HttpMethod.Get, url);
                return Page<TaskResource>.FromJson("tasks", (await client.RequestAsync(request)).Content);
            }, cancellationToken);
            tasks.AddRange(read.Records.Select(ToWaitingTask));
            if (!read.HasNextPage())
            {
                break;
            }

            next = read.GetNextPageUrl(Domain.Taskrouter);
        }

        return tasks;
    }

    public async Task<QueueFigures> QueueFiguresAsync(string workspaceSid, string queueSid, TimeSpan recent, CancellationToken cancellationToken)
    {
        var now = api.CallAsync("fetch the task queue's real-time statistics",
            client => TaskQueueRealTimeStatisticsResource.FetchAsync(new FetchTaskQueueRealTimeStatisticsOptions(workspaceSid, queueSid), client), cancellationToken);
        var lately = api.CallAsync("fetch the task queue's cumulative statistics",
            client => TaskQueueCumulativeStatisticsResource.FetchAsync(
                new FetchTaskQueueCumulativeStatisticsOptions(workspaceSid, queueSid) { Minutes = (int)recent.TotalMinutes }, client), cancellationToken);
        var (realTime, cumulative) = (await now, await lately);
        return new QueueFigures(queueSid, realTime.TotalAvailableWorkers ?? 0, realTime.TotalEligibleWorkers ?? 0,
            cumulative.ReservationsAccepted is > 0 ? cumulative.AvgTaskAcceptanceTime : null);
    }

    public Task UpdateTaskAttributesAsync(string workspaceSid, string taskSid, string attributes, CancellationToken cancellationToken) =>
        api.CallAsync("update the TaskRouter task's attributes",
            client => TaskResource.UpdateAsync(new UpdateTaskOptions(workspaceSid, taskSid) { Attributes = attributes }, client), cancellationToken);

    private static WaitingTask ToWaitingTask(TaskResource task) =>
        new(task.Sid, task.TaskQueueSid, ConversationSid(task.Attributes), task.Priority ?? 0,
            task.DateCreated is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : DateTimeOffset.MinValue,
            task.Attributes ?? "{}");

    /// <summary>The task's <c>conversationSid</c> attribute, which Flex sets on every Conversations task.</summary>
    private static string? ConversationSid(string? attributes)
    {
        try
        {
            return attributes is not null && JsonNode.Parse(attributes) is JsonObject json && json["conversationSid"] is JsonValue value && value.TryGetValue(out string? sid) ? sid : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The queues a workflow configuration targets: each filter's targets, and the default filter's queue.</summary>
    private static List<string> Queues(string? configuration)
    {
        var queues = new List<string>();
        try
        {
            if (configuration is null || JsonNode.Parse(configuration)?["task_routing"] is not JsonObject routing)
            {
                return queues;
            }

            foreach (var filter in routing["filters"] as JsonArray ?? [])
            {
                foreach (var target in filter?["targets"] as JsonArray ?? [])
                {
                    Add(target?["queue"]);
                }
            }

            Add(routing["default_filter"]?["queue"]);
        }
        catch (JsonException)
        {
            // A configuration TaskRouter accepted is JSON; if not, the waiting tasks' queues still count.
        }

        return queues;

        void Add(JsonNode? queue)
        {
            if (queue is JsonValue value && value.TryGetValue(out string? sid) && !queues.Contains(sid))
            {
                queues.Add(sid);
            }
        }
    }
}
