using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Events;
using FlexAgentPlugin.Routing;
using FlexAgentPlugin.Twilio;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Handover;

/// <summary>What the tool answers: a sentence the assistant can say to the customer, and the Interaction that routes them.</summary>
public sealed record HandoverResult(string Message, string InteractionSid, string ConversationSid, bool AlreadyHandedOver);

/// <summary>
/// <c>POST /tools/flex-handover</c>: a tool for a Twilio AI Assistant. It hands the assistant's conversation
/// (<c>X-Session-Id</c>) with its customer (<c>X-Identity</c>) to a Flex agent by creating an Interaction, once per
/// conversation: a second hand-over answers with the first one's Interaction.
/// </summary>
public static partial class HandoverEndpoints
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
        return services;
    }

    public static IEndpointRouteBuilder MapHandover(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandOverAsync).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<HandoverResult>, ProblemHttpResult>> HandOverAsync(
        HttpRequest request,
        FlexInteractions interactions,
        EventsAddress address,
        IOptions<HandoverOptions> handover,
        IOptions<TwilioOptions> twilio,
        IOptions<RoutingOptions> routing,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(HandoverEndpoints));
        if (await HandoverAuth.CheckAsync(request, handover.Value, twilio.Value, address, cancellationToken) is { } refused)
        {
            return refused;
        }

        var (handoverRequest, invalid) = HandoverInput.Read(request, routing.Value);
        if (invalid is not null)
        {
            return invalid;
        }

        var (conversationSid, customer, workspace, workflow) = handoverRequest!;
        if (!twilio.Value.IsConfigured)
        {
            return TwilioProblemHandler.NotConfigured();
        }

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
        try
        {
            var routed = await interactions.RouteOnceAsync(
                new InteractionRequest(customer.ChannelType, conversationSid, workspace, workflow, customer.TaskChannel, attributes), cancellationToken);
            return TypedResults.Ok(new HandoverResult(
                routed.AlreadyRouted ? AlreadyHandedOver : HandedOver, routed.InteractionSid, conversationSid, routed.AlreadyRouted));
        }
        catch (TwilioApiException error)
        {
            Failed(logger, conversationSid, error.Message);
            return BadGateway(error.IsAuthenticationFailure
                ? "Twilio rejected the configured credentials. Check ACCOUNT_SID and AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET."
                : $"Flex refused to create the Interaction (HTTP {(int)error.Status}{(error.Code is { } code ? $", Twilio error {code}" : "")}). Check the workspace and workflow SIDs and that the conversation belongs to this account.");
        }
        catch (TwilioUnavailableException error)
        {
            Failed(logger, conversationSid, error.Message);
            return BadGateway("Twilio did not confirm the hand-over in time, so it may or may not have reached Flex. Nothing was recorded; a new call tries again.");
        }
    }

    private static ProblemHttpResult BadGateway(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The hand-over to Flex failed", detail: detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hand-over of conversation {ConversationSid} failed: {Failure}")]
    private static partial void Failed(ILogger logger, string conversationSid, string failure);
}
