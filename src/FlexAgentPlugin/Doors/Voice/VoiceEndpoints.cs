using System.Text.Json;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.PhoneAi;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Doors.PhoneAi;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Twilio.TwiML;
using Enqueue = Twilio.TwiML.Voice.Enqueue;
using Start = Twilio.TwiML.Voice.Start;
using Stream = Twilio.TwiML.Voice.Stream;

namespace FlexAgentPlugin.Doors.Voice;

/// <summary>
/// Real-time voice assist. <c>POST /voice/incoming</c> (Twilio-signed): TwiML that streams the call's audio (both tracks) to
/// <c>/voice/stream</c> and enqueues the call to the Flex workflow. <c>POST</c>/<c>DELETE /voice/calls/{callSid}/assist</c>
/// (the agent's Flex token or an agent key, <see cref="AgentAccess"/>): start or stop that stream on a call in progress
/// (<see cref="AssistStreams"/>). Either way the stream carries a ticket for its call
/// (<see cref="StreamTickets"/>). <c>/voice/stream</c>: the Media Streams WebSocket, accepted only with a valid
/// <c>X-Twilio-Signature</c> on the upgrade, assisted only when its <c>start</c> carries its call's ticket.
/// <c>GET /voice/calls/{callSid}/events</c> (the same access): the call's transcript lines and suggestions as server-sent events
/// (<see cref="CallEvents"/>).
/// </summary>
public static class VoiceEndpoints
{
    public const string StreamPath = AssistStreams.StreamPath;

    public static IServiceCollection AddVoice(this IServiceCollection services) => services.AddVoiceAssist();

    public static IEndpointRouteBuilder MapVoice(this IEndpointRouteBuilder app)
    {
        app.MapPost("/voice/incoming", Incoming).RequireAuthorization(AccessPolicies.TwilioSigned).DisableAntiforgery().ExcludeFromDescription();
        var calls = app.MapGroup("/voice/calls/{callSid}").RequireAgentAccess().ExcludeFromDescription();
        calls.MapPost("/assist", StartAssistAsync);
        calls.MapDelete("/assist", StopAssistAsync);
        calls.MapGet("/events", CallEvents.StreamAsync);
        app.Map(StreamPath, StreamAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The request's own base URL, for a stream address when no public URL is configured.</summary>
    private static string RequestBaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static Results<ContentHttpResult, ProblemHttpResult> Incoming(
        HttpContext context, AssistStreams assist, IOptions<RoutingOptions> routing, StreamTickets tickets, TwilioCallbacks callbacks,
        IOptions<PhoneAiOptions> phoneAi)
    {
        var form = context.Features.Get<SignedBody>()!;
        var callSid = form["CallSid"] ?? "";
        AssistStreams.CheckCallSid(callSid, "CallSid");
        if (routing.Value.WorkflowSid?.Trim() is not { Length: > 0 } workflow)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No Flex workflow is configured",
                detail: "Set FLEX_WORKFLOW_SID (and FLEX_WORKSPACE_SID), the TaskRouter workflow calls are enqueued to, and restart the server.");
        }

        var from = form["From"] ?? "";
        if (phoneAi.Value.AnswersCalls)
        {
            return TypedResults.Content(RelayTwiml.Connect(callbacks, context.Request, phoneAi.Value, from), "text/xml; charset=utf-8");
        }

        var task = JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "inbound", ["name"] = from, ["from"] = from, ["assist"] = "voice" });
        var stream = new Stream(name: AssistStreams.StreamName, url: assist.StreamUrl(RequestBaseUrl(context.Request)), track: Stream.TrackEnum.BothTracks)
            .Parameter(name: "from", value: from)
            .Parameter(name: StreamTickets.Parameter, value: tickets.Issue(callSid));
        var enqueue = new Enqueue(workflowSid: workflow).Task(task);
        var twiml = new VoiceResponse().Append(new Start().Append(stream)).Append(enqueue).ToString();
        return TypedResults.Content(twiml, "text/xml; charset=utf-8");
    }

    private static async Task<Results<Ok<AssistState>, ProblemHttpResult>> StartAssistAsync(
        string callSid, HttpContext context, AssistStreams assist, CancellationToken cancellationToken) =>
        await assist.StartAsync(callSid, RequestBaseUrl(context.Request), cancellationToken) is { } started
            ? TypedResults.Ok(started)
            : NotFound("Twilio knows no call in progress with this SID.");

    private static async Task<Results<Ok<AssistState>, ProblemHttpResult>> StopAssistAsync(
        string callSid, AssistStreams assist, CancellationToken cancellationToken) =>
        await assist.StopAsync(callSid, cancellationToken) is { } stopped
            ? TypedResults.Ok(stopped)
            : NotFound("No assist stream is running on this call (or Twilio knows no such call).");

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such call or stream", detail: detail);

    /// <summary>
    /// The Media Streams socket. The upgrade must be signed by Twilio (over the stream's URL, as ws(s):// or http(s)://);
    /// what follows is the engine's (<see cref="MediaStreams"/>).
    /// </summary>
    private static async Task StreamAsync(HttpContext context, MediaStreams streams)
    {
        if (!await SignedUpgrade.CheckAsync(context, StreamPath, "Media Streams"))
        {
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await streams.RunAsync(socket, context.RequestAborted);
    }
}
