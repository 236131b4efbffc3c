using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>The emulated TaskRouter's resources in the shapes of Twilio's TaskRouter v1 API.</summary>
internal static class TaskRouterJson
{
    public static string Status(EmulatedTask task) => task.Closed ? (task.Accepted is null ? "canceled" : "completed") : task.Accepted is null ? "pending" : "assigned";

    public static JsonObject Workflow(string workspaceSid, string sid, Api api) => new()
    {
        ["account_sid"] = api.AccountSid,
        ["assignment_callback_url"] = null,
        ["configuration"] = new JsonObject
        {
            ["task_routing"] = new JsonObject
            {
                ["filters"] = new JsonArray(),
                ["default_filter"] = new JsonObject { ["queue"] = SandboxAccount.TaskQueueSid },
            },
        }.ToJsonString(),
        ["date_created"] = "2026-01-01T00:00:00Z",
        ["date_updated"] = "2026-01-01T00:00:00Z",
        ["document_content_type"] = "application/json",
        ["fallback_assignment_callback_url"] = null,
        ["friendly_name"] = "Sandbox workflow",
        ["sid"] = sid,
        ["task_reservation_timeout"] = 120,
        ["workspace_sid"] = workspaceSid,
        ["url"] = $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/Workflows/{sid}",
        ["links"] = new JsonObject { ["statistics"] = $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/Workflows/{sid}/Statistics" },
    };

    public static JsonObject Task(EmulatedTask task, string workspaceSid, EmulatorState state, Api api) => new()
    {
        ["account_sid"] = api.AccountSid,
        ["age"] = (int)(state.Now - task.Created).TotalSeconds,
        ["assignment_status"] = Status(task),
        ["attributes"] = task.Attributes,
        ["addons"] = "{}",
        ["date_created"] = TwilioJson.Date(task.Created),
        ["date_updated"] = TwilioJson.Date(task.Accepted ?? task.Created),
        ["task_queue_entered_date"] = TwilioJson.Date(task.Created),
        ["priority"] = 0,
        ["reason"] = null,
        ["sid"] = task.Sid,
        ["task_queue_sid"] = task.QueueSid,
        ["task_queue_friendly_name"] = task.QueueSid == SandboxAccount.TaskQueueSid ? "Sandbox agents" : "Escalations",
        ["task_channel_sid"] = "TC" + new string('0', 32),
        ["task_channel_unique_name"] = "chat",
        ["timeout"] = 86400,
        ["workflow_sid"] = task.WorkflowSid ?? SandboxAccount.WorkflowSid,
        ["workflow_friendly_name"] = "Sandbox workflow",
        ["workspace_sid"] = workspaceSid,
        ["url"] = $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/Tasks/{task.Sid}",
        ["links"] = new JsonObject { ["reservations"] = $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/Tasks/{task.Sid}/Reservations" },
        ["virtual_start_time"] = TwilioJson.Date(task.Created),
        ["ignore_capacity"] = false,
        ["routing_target"] = null,
    };

    public static JsonObject QueueRealTime(string workspaceSid, string queueSid, EmulatorState state, EmulatorBehavior behavior, Api api)
    {
        var tasks = state.Tasks().Where(t => t.QueueSid == queueSid && !t.Closed).ToList();
        var pending = tasks.Where(t => t.Pending).ToList();
        var available = behavior.AgentsAway ? 0 : 1;
        return new JsonObject
        {
            ["account_sid"] = api.AccountSid,
            ["activity_statistics"] = new JsonArray(
                new JsonObject { ["sid"] = "WA" + new string('0', 32), ["friendly_name"] = "Available", ["workers"] = available },
                new JsonObject { ["sid"] = "WA" + new string('0', 31) + "1", ["friendly_name"] = "Offline", ["workers"] = 1 - available }),
            ["longest_task_waiting_age"] = pending.Count == 0 ? 0 : (int)(state.Now - pending[0].Created).TotalSeconds,
            ["longest_task_waiting_sid"] = pending.FirstOrDefault()?.Sid,
            ["longest_relative_task_age_in_queue"] = pending.Count == 0 ? 0 : (int)(state.Now - pending[0].Created).TotalSeconds,
            ["longest_relative_task_sid_in_queue"] = pending.FirstOrDefault()?.Sid,
            ["task_queue_sid"] = queueSid,
            ["tasks_by_priority"] = new JsonObject { ["0"] = tasks.Count },
            ["tasks_by_status"] = ByStatus(tasks),
            ["total_available_workers"] = available,
            ["total_eligible_workers"] = 1,
            ["total_tasks"] = tasks.Count,
            ["workspace_sid"] = workspaceSid,
            ["url"] = $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/TaskQueues/{queueSid}/RealTimeStatistics",
        };
    }

    /// <summary>The tasks accepted within <paramref name="window"/>: how many, and how long they waited (avg, min, max, total).</summary>
    public static JsonObject QueueCumulative(string workspaceSid, string queueSid, TimeSpan window, EmulatorState state, Api api)
    {
        var start = state.Now - window;
        var all = state.Tasks().Where(t => t.QueueSid == queueSid).ToList();
        var waits = all.Where(t => t.Accepted >= start).Select(t => (int)(t.Accepted!.Value - t.Created).TotalSeconds).ToList();
        var durations = new JsonObject
        {
            ["avg"] = waits.Count == 0 ? 0 : (int)Math.Round(waits.Average()),
            ["min"] = waits.Count == 0 ? 0 : waits.Min(),
            ["max"] = waits.Count == 0 ? 0 : waits.Max(),
            ["total"] = waits.Sum(),
        };
        return new JsonObject
        {
            ["account_sid"] = api.AccountSid,
            ["avg_task_acceptance_time"] = durations["avg"]!.DeepClone(),
            ["start_time"] = TwilioJson.Date(start),
            ["end_time"] = TwilioJson.Date(state.Now),
            ["reservations_created"] = waits.Count,
            ["reservations_accepted"] = waits.Count,
            ["reservations_rejected"] = 0,
            ["reservations_timed_out"] = 0,
            ["reservations_canceled"] = 0,
            ["reservations_rescinded"] = 0,
            ["split_by_wait_time"] = null,
            ["task_queue_sid"] = queueSid,
            ["wait_duration_until_accepted"] = durations,
            ["wait_duration_until_canceled"] = new JsonObject { ["avg"] = 0, ["min"] = 0, ["max"] = 0, ["total"] = 0 },
            ["wait_duration_in_queue_until_accepted"] = durations.DeepClone(),
            ["tasks_canceled"] = all.Count(t => t.Closed && t.Accepted is null && t.Created >= start),
            ["tasks_completed"] = all.Count(t => t.Closed && t.Accepted >= start),
            ["tasks_deleted"] = 0,
            ["tasks_entered"] = all.Count(t => t.Created >= start),
            ["tasks_moved"] = 0,
            ["workspace_sid"] = workspaceSid,
            ["url"] = $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/TaskQueues/{queueSid}/CumulativeStatistics",
        };
    }

    public static JsonObject WorkflowRealTime(string workspaceSid, string workflowSid, EmulatorState state, Api api)
    {
        var tasks = state.Tasks(workflowSid).Where(t => !t.Closed).ToList();
        var pending = tasks.Where(t => t.Pending).ToList();
        return new JsonObject
        {
            ["account_sid"] = api.AccountSid,
            ["longest_task_waiting_age"] = pending.Count == 0 ? 0 : (int)(state.Now - pending[0].Created).TotalSeconds,
            ["longest_task_waiting_sid"] = pending.FirstOrDefault()?.Sid,
            ["tasks_by_priority"] = new JsonObject { ["0"] = tasks.Count },
            ["tasks_by_status"] = ByStatus(tasks),
            ["total_tasks"] = tasks.Count,
            ["workflow_sid"] = workflowSid,
            ["workspace_sid"] = workspaceSid,
            ["url"] = $"{api.BaseUrl}/v1/Workspaces/{workspaceSid}/Workflows/{workflowSid}/RealTimeStatistics",
        };
    }

    private static JsonObject ByStatus(IReadOnlyList<EmulatedTask> tasks) => new()
    {
        ["pending"] = tasks.Count(t => Status(t) == "pending"),
        ["reserved"] = 0,
        ["assigned"] = tasks.Count(t => Status(t) == "assigned"),
        ["wrapping"] = 0,
        ["completed"] = 0,
        ["canceled"] = 0,
    };
}
