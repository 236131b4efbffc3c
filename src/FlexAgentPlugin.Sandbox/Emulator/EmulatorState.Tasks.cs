using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>A conversation's TaskRouter task as the emulator serves it: pending until an agent accepts (joins).</summary>
public sealed record EmulatedTask(
    string Sid, string ConversationSid, string QueueSid, string? WorkflowSid, string Attributes, DateTimeOffset Created, DateTimeOffset? Accepted, bool Closed)
{
    public bool Pending => Accepted is null && !Closed;
}

/// <summary>
/// The TaskRouter side of the emulated world: each routed conversation has a task (<c>WT…</c>, named after the
/// conversation) in the sandbox's one queue, or in the queue its <c>escalation.queue_sid</c> attribute names (as a
/// workflow filter on it would route it); one worker, available unless the console marks the agents away.
/// </summary>
public sealed partial class EmulatorState
{
    /// <summary>Tells the console something changed outside the world's own records (the agents' availability).</summary>
    public void Touch()
    {
        lock (gate)
        {
            Changed();
        }
    }

    /// <summary>The emulated world's time (task ages, statistics windows).</summary>
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The task of a conversation: the same SID body, so the console and tests can tell which is which.</summary>
    public static string TaskSid(string conversationSid) => "WT" + conversationSid[2..];

    /// <summary>The tasks of routed conversations, oldest first; with <paramref name="workflowSid"/>, those it routed (Studio's count for any).</summary>
    public IReadOnlyList<EmulatedTask> Tasks(string? workflowSid = null)
    {
        lock (gate)
        {
            return [.. conversations.Values
                .Where(c => c.RoutedAt is not null && (workflowSid is null || c.TaskWorkflowSid is null || c.TaskWorkflowSid == workflowSid))
                .OrderBy(c => c.RoutedAt)
                .Select(ToTask)];
        }
    }

    /// <summary>Replaces a task's attributes, as TaskRouter's task update does (the workflow then routes it again).</summary>
    public EmulatedTask UpdateTaskAttributes(string taskSid, string attributes)
    {
        lock (gate)
        {
            var conversation = conversations.Values.FirstOrDefault(c => c.RoutedAt is not null && TaskSid(c.Sid) == taskSid)
                ?? throw EmulatorException.NotFound($"/Tasks/{taskSid}");
            conversation.TaskAttributes = attributes;
            Changed();
            return ToTask(conversation);
        }
    }

    private static EmulatedTask ToTask(EmulatedConversation c) =>
        new(TaskSid(c.Sid), c.Sid, EscalatedTo(c.TaskAttributes) ?? SandboxAccount.TaskQueueSid, c.TaskWorkflowSid, c.TaskAttributes, c.RoutedAt!.Value, c.AcceptedAt, c.IsClosed);

    /// <summary>Flex makes the conversation's task (once), with the routing's attributes and the conversation's SID.</summary>
    private void MakeTask(EmulatedConversation conversation, string? workflowSid, JsonObject? attributes)
    {
        conversation.Routed = true;
        if (conversation.RoutedAt is not null)
        {
            return;
        }

        attributes ??= new JsonObject { ["channelType"] = "chat" };
        attributes["conversationSid"] = conversation.Sid;
        conversation.RoutedAt = clock.GetUtcNow();
        conversation.TaskWorkflowSid = workflowSid;
        conversation.TaskAttributes = attributes.ToJsonString();
    }

    private static string? Workflow(string routing) => (string?)JsonNode.Parse(routing)?["properties"]?["workflow_sid"];

    private static JsonObject? RoutingAttributes(string routing) => JsonNode.Parse(routing)?["properties"]?["attributes"]?.DeepClone() as JsonObject;

    private static string? EscalatedTo(string attributes)
    {
        try
        {
            return JsonNode.Parse(attributes)?["escalation"]?["queue_sid"] is JsonValue value && value.TryGetValue(out string? queue) ? queue : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
