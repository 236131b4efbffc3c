using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.Handover;

/// <summary>What the tool answers: a sentence the assistant can say to the customer, and the Interaction that routes them.</summary>
public sealed record HandoverResult(string Message, string? InteractionSid, string ConversationSid, bool AlreadyHandedOver);

/// <summary>
/// <c>POST /tools/flex-handover</c>: a tool for a Twilio AI Assistant. It hands the assistant's conversation
/// (<c>X-Session-Id</c>) with its customer (<c>X-Identity</c>) to a Flex agent by creating an Interaction, once per
/// conversation: a second hand-over answers with the first one's Interaction.
/// </summary>
public static class HandoverEndpoints
{
    public const string Path = "/tools/flex-handover";

    public const string HandedOver = "I have passed our conversation to a member of our team. They will reply here shortly.";

    public const string AlreadyHandedOver = "Our team already has this conversation. A member of our team will reply here shortly.";

    public static IServiceCollection AddHandover(this IServiceCollection services)
    {
        services.AddOptions<HandoverOptions>()
            .BindEnvironment()
            .Validate(o => !o.HasToken || o.Token!.Trim().Length >= 16,
                "HANDOVER_TOKEN must be at least 16 characters long; generate one with e.g. openssl rand -hex 32.")
            .ValidateOnStart();
        services.AddHandoverAuthentication();
        return services;
    }

    public static IEndpointRouteBuilder MapHandover(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandOverAsync)
            .RequireAuthorization(HandoverAuthentication.Policy)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<HandoverResult>, ProblemHttpResult>> HandOverAsync(
        HttpRequest request, FlexRouter router, IOptions<RoutingOptions> routing, CancellationToken cancellationToken)
    {
        var (conversationSid, customer, workspace, workflow) = HandoverInput.Read(request, routing.Value);
        if (workspace.Length == 0 || workflow.Length == 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Flex routing is not configured",
                detail: $"Set FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID (or pass {HandoverInput.WorkspaceParameter} and {HandoverInput.WorkflowParameter} in the tool's URL) and restart the server.");
        }

        var attributes = new Dictionary<string, string>
        {
            ["from"] = customer.Address,
            ["customerName"] = customer.Value,
            ["customerAddress"] = customer.Address,
        };
        var routed = await router.RouteOnceAsync(
            new InteractionRequest(customer.ChannelType, conversationSid, workspace, workflow, customer.TaskChannel, attributes), cancellationToken);
        return TypedResults.Ok(new HandoverResult(
            routed.AlreadyRouted ? AlreadyHandedOver : HandedOver, routed.Route.InteractionSid, conversationSid, routed.AlreadyRouted));
    }
}
