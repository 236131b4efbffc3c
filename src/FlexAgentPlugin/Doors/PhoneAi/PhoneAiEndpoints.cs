using FlexAgentPlugin.Core.PhoneAi;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.PhoneAi;

/// <summary>
/// The AI on the phone, through Twilio's ConversationRelay. <c>/voice/relay</c>: the session's WebSocket, accepted only
/// with a valid <c>X-Twilio-Signature</c> on the upgrade, run by the engine (<see cref="RelaySessions"/>). <c>POST /voice/relay-ended</c>
/// (Twilio-signed): the <c>&lt;Connect&gt;</c> action when the session ends, answered with the hand-off's
/// <c>&lt;Enqueue&gt;</c> or <c>&lt;Hangup/&gt;</c>. <c>GET /voice/calls/{callSid}/turns</c> (<see cref="AgentAccess"/>: the agent's Flex token or an agent key): what the
/// caller and the AI said. <c>/voice/incoming</c> answers with the session when the AI answers calls (<see cref="RelayTwiml"/>).
/// </summary>
public static class PhoneAiEndpoints
{
    public static IServiceCollection AddPhoneAi(this IServiceCollection services) => services.AddPhoneAiCalls();

    public static IEndpointRouteBuilder MapPhoneAi(this IEndpointRouteBuilder app)
    {
        app.Map(RelayTwiml.RelayPath, RelayAsync).ExcludeFromDescription();
        app.MapPost(RelayTwiml.EndedPath, Ended).RequireAuthorization(AccessPolicies.TwilioSigned).DisableAntiforgery().ExcludeFromDescription();
        app.MapGet("/voice/calls/{callSid}/turns", TurnsAsync).RequireAgentAccess().ExcludeFromDescription();
        return app;
    }

    /// <summary>The session's socket: the upgrade must be signed by Twilio; what follows is the engine's (<see cref="RelaySessions"/>).</summary>
    private static async Task RelayAsync(HttpContext context, RelaySessions sessions)
    {
        if (!await SignedUpgrade.CheckAsync(context, RelayTwiml.RelayPath, "ConversationRelay"))
        {
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await sessions.RunAsync(socket, context.RequestAborted);
    }

    /// <summary>The session ended: to Flex with the AI's hand-off (<c>HandoffData</c>), else the call is over.</summary>
    private static Results<ContentHttpResult, ProblemHttpResult> Ended(HttpContext context, IOptions<RoutingOptions> routing)
    {
        var form = context.Features.Get<SignedBody>()!;
        var handoff = CallHandoff.Read(form["HandoffData"]);
        if (handoff is not null && routing.Value.WorkflowSid?.Trim() is not { Length: > 0 })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No Flex workflow is configured",
                detail: "Set FLEX_WORKFLOW_SID (and FLEX_WORKSPACE_SID), the TaskRouter workflow calls are enqueued to, and restart the server.");
        }

        var twiml = RelayTwiml.Ended(handoff, routing.Value.WorkflowSid?.Trim() ?? "", form["From"] ?? "", form["CallSid"] ?? "");
        return TypedResults.Content(twiml, "text/xml; charset=utf-8");
    }

    private static async Task<Ok<CallTurns>> TurnsAsync(string callSid, PhoneAiCalls calls, CancellationToken cancellationToken)
    {
        if (!CallSids.IsCallSid(callSid))
        {
            throw new InvalidInputException("callSid", "callSid must be a Twilio call SID: CA followed by 32 hexadecimal characters.");
        }

        var turns = await calls.TurnsAsync(callSid, cancellationToken);
        return TypedResults.Ok(new CallTurns(callSid, [.. turns.Select(t => new TranscriptLine(t.Speaker, t.Text))]));
    }

    /// <summary>A call's turns as the agent endpoint answers them, oldest first.</summary>
    public sealed record CallTurns(string CallSid, IReadOnlyList<TranscriptLine> Turns);
}
