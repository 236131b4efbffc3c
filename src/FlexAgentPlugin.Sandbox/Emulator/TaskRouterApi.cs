using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The emulated TaskRouter API, under <see cref="SandboxAccount.TaskRouterPath"/>: a workflow (its configuration names
/// the sandbox's queue), the tasks of routed conversations (list, fetch, update of attributes), and the queue's and
/// workflow's statistics, computed from the console's unanswered conversations: pending tasks by age, one worker
/// (available unless the console marks the agents away), and the recent average wait until an agent accepted.
/// </summary>
internal static class TaskRouterApi
{
    private static readonly string[] ListTasks =
        ["Priority", "AssignmentStatus", "WorkflowSid", "WorkflowName", "TaskQueueSid", "TaskQueueName", "EvaluateTaskAttributes", "RoutingTarget", "Ordering", "HasAddons", "PageSize", "Page", "PageToken"];

    private static readonly string[] UpdateTask = ["Attributes", "AssignmentStatus", "Reason", "Priority", "TaskChannel", "VirtualStartTime"];
    private static readonly string[] RealTime = ["TaskChannel"];
    private static readonly string[] Cumulative = ["EndDate", "Minutes", "StartDate", "TaskChannel", "SplitByWaitTime"];

    public static void MapTaskRouterApi(this IEndpointRouteBuilder app)
    {
        var workspace = app.MapGroup($"{SandboxAccount.TaskRouterPath}/v1/Workspaces/{{workspaceSid}}")
            .AddEndpointFilter(ApiRequests.TwilioLikeAsync)
            .ExcludeFromDescription();

        workspace.MapGet("/Workflows/{sid}", (string workspaceSid, string sid, HttpRequest request) =>
        {
            ApiRequests.StrictQuery(request, "fetch workflow", []);
            return ApiRequests.Ok(TaskRouterJson.Workflow(workspaceSid, sid, Api.For(request, SandboxAccount.TaskRouterPath)));
        });

        workspace.MapGet("/Tasks", (string workspaceSid, HttpRequest request, EmulatorState state) =>
        {
            ApiRequests.StrictQuery(request, "list tasks", ListTasks);
            var statuses = request.Query["AssignmentStatus"].SelectMany(s => (s ?? "").Split(',')).Where(s => s.Length > 0).ToList();
            var queue = request.Query["TaskQueueSid"].ToString();
            var pageSize = Math.Clamp(ApiRequests.Number(request, "PageSize", 50), 1, 1000);
            var tasks = state.Tasks(request.Query["WorkflowSid"].ToString() is { Length: > 0 } workflow ? workflow : null)
                .Where(t => statuses.Count == 0 || statuses.Contains(TaskRouterJson.Status(t)))
                .Where(t => queue.Length == 0 || t.QueueSid == queue)
                .Take(pageSize)
                .ToList();
            var api = Api.For(request, SandboxAccount.TaskRouterPath);
            return ApiRequests.Ok(new JsonObject
            {
                ["tasks"] = new JsonArray([.. tasks.Select(t => (JsonNode?)TaskRouterJson.Task(t, workspaceSid, state, api))]),
                ["meta"] = TwilioJson.Meta("tasks", $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/Tasks?PageSize={pageSize}", 0, pageSize, null),
            });
        });

        workspace.MapGet("/Tasks/{sid}", (string workspaceSid, string sid, HttpRequest request, EmulatorState state) =>
        {
            ApiRequests.StrictQuery(request, "fetch task", []);
            var task = state.Tasks().FirstOrDefault(t => t.Sid == sid) ?? throw EmulatorException.NotFound($"/Tasks/{sid}");
            return ApiRequests.Ok(TaskRouterJson.Task(task, workspaceSid, state, Api.For(request, SandboxAccount.TaskRouterPath)));
        });

        workspace.MapPost("/Tasks/{sid}", async (string workspaceSid, string sid, HttpRequest request, EmulatorState state) =>
        {
            var form = await ApiRequests.FormAsync(request, "update task", UpdateTask);
            var task = ApiRequests.JsonAttributes(form) is { } attributes
                ? state.UpdateTaskAttributes(sid, attributes)
                : state.Tasks().FirstOrDefault(t => t.Sid == sid) ?? throw EmulatorException.NotFound($"/Tasks/{sid}");
            return ApiRequests.Ok(TaskRouterJson.Task(task, workspaceSid, state, Api.For(request, SandboxAccount.TaskRouterPath)));
        });

        workspace.MapGet("/TaskQueues/{queueSid}/RealTimeStatistics", (string workspaceSid, string queueSid, HttpRequest request, EmulatorState state, EmulatorBehavior behavior) =>
        {
            ApiRequests.StrictQuery(request, "fetch task queue real-time statistics", RealTime);
            return ApiRequests.Ok(TaskRouterJson.QueueRealTime(workspaceSid, queueSid, state, behavior, Api.For(request, SandboxAccount.TaskRouterPath)));
        });

        workspace.MapGet("/TaskQueues/{queueSid}/CumulativeStatistics", (string workspaceSid, string queueSid, HttpRequest request, EmulatorState state) =>
        {
            ApiRequests.StrictQuery(request, "fetch task queue cumulative statistics", Cumulative);
            var minutes = Math.Clamp(ApiRequests.Number(request, "Minutes", 15), 1, 60 * 24 * 30);
            return ApiRequests.Ok(TaskRouterJson.QueueCumulative(workspaceSid, queueSid, TimeSpan.FromMinutes(minutes), state, Api.For(request, SandboxAccount.TaskRouterPath)));
        });

        workspace.MapGet("/Workflows/{workflowSid}/RealTimeStatistics", (string workspaceSid, string workflowSid, HttpRequest request, EmulatorState state) =>
        {
            ApiRequests.StrictQuery(request, "fetch workflow real-time statistics", RealTime);
            return ApiRequests.Ok(TaskRouterJson.WorkflowRealTime(workspaceSid, workflowSid, state, Api.For(request, SandboxAccount.TaskRouterPath)));
        });

        app.MapFallback($"{SandboxAccount.TaskRouterPath}/{{**rest}}", ApiRequests.Unknown).ExcludeFromDescription();
    }
}
