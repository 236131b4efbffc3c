using FlexAgentPlugin.Configuration;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Routing;

/// <summary>Flex routing settings, validated at start, and the router that sends each conversation to Flex once.</summary>
public static class RoutingSetup
{
    public const string Neither =
        "Set CONV_FLOW (Studio routing) or FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID (Interactions routing), so new conversations reach Flex.";

    public static IServiceCollection AddFlexRouting(this IServiceCollection services)
    {
        services.AddOptions<RoutingOptions>()
            .BindEnvironment()
            .Validate(o => Settings.IsSidOrEmpty(o.StudioFlowSid, "FW"),
                "CONV_FLOW must be a Studio flow SID: FW followed by 32 hexadecimal characters.")
            .Validate(o => Settings.IsSidOrEmpty(o.WorkspaceSid, "WS"),
                "FLEX_WORKSPACE_SID must be a TaskRouter workspace SID: WS followed by 32 hexadecimal characters.")
            .Validate(o => Settings.IsSidOrEmpty(o.WorkflowSid, "WW"),
                "FLEX_WORKFLOW_SID must be a TaskRouter workflow SID: WW followed by 32 hexadecimal characters.")
            .Validate(o => string.IsNullOrWhiteSpace(o.WorkspaceSid) == string.IsNullOrWhiteSpace(o.WorkflowSid),
                "FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID must be set together.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Mode) || o.EffectiveMode is not null,
                "ROUTING_MODE must be studio or interactions.")
            .Validate(o => o.EffectiveMode != RoutingMode.Studio || o.HasStudioFlow,
                "ROUTING_MODE=studio needs CONV_FLOW, the Studio flow (FW…) that sends conversations to Flex.")
            .Validate(o => o.EffectiveMode != RoutingMode.Interactions || o.HasInteractionSids,
                "ROUTING_MODE=interactions needs FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID.")
            .ValidateOnStart();
        services.AddSingleton<FlexRouter>();
        return services;
    }
}
