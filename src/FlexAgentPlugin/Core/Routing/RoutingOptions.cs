namespace FlexAgentPlugin.Core.Routing;

/// <summary>How a new conversation reaches a Flex agent.</summary>
public enum RoutingMode
{
    /// <summary>A Studio webhook on the conversation; the flow's "Send to Flex" widget makes the task.</summary>
    Studio,

    /// <summary>An Interaction created through Flex's Interactions API after the user's first message.</summary>
    Interactions,
}

/// <summary>
/// Where Flex routing comes from: the Studio flow (CONV_FLOW), or the TaskRouter workspace and workflow for the
/// Interactions API (FLEX_WORKSPACE_SID, FLEX_WORKFLOW_SID). ROUTING_MODE chooses when both are set; without it
/// the Interactions API is used whenever its two SIDs are set.
/// </summary>
public sealed class RoutingOptions
{
    [ConfigurationKeyName("ROUTING_MODE")]
    public string? Mode { get; set; }

    [ConfigurationKeyName("CONV_FLOW")]
    public string? StudioFlowSid { get; set; }

    [ConfigurationKeyName("FLEX_WORKSPACE_SID")]
    public string? WorkspaceSid { get; set; }

    [ConfigurationKeyName("FLEX_WORKFLOW_SID")]
    public string? WorkflowSid { get; set; }

    public bool HasStudioFlow => !string.IsNullOrWhiteSpace(StudioFlowSid);

    public bool HasInteractionSids => !string.IsNullOrWhiteSpace(WorkspaceSid) && !string.IsNullOrWhiteSpace(WorkflowSid);

    /// <summary>ROUTING_MODE when given; otherwise Interactions when its SIDs are set, Studio when a flow is; null with neither.</summary>
    public RoutingMode? EffectiveMode => string.IsNullOrWhiteSpace(Mode)
        ? HasInteractionSids ? RoutingMode.Interactions : HasStudioFlow ? RoutingMode.Studio : null
        : Mode.Trim().ToLowerInvariant() switch
        {
            "studio" => RoutingMode.Studio,
            "interactions" => RoutingMode.Interactions,
            _ => null,
        };
}
