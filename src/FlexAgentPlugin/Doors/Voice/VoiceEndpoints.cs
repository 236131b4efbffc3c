using System.Buffers;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Security;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.Voice;

/// <summary>
/// Real-time voice assist. <c>POST /voice/incoming</c> (Twilio-signed): TwiML that streams the caller's audio to
/// <c>/voice/stream</c> and enqueues the call to the Flex workflow. <c>POST</c>/<c>DELETE /voice/calls/{callSid}/assist</c>
/// (agent key): start or stop that stream on a call in progress. <c>/voice/stream</c>: the Media Streams WebSocket,
/// accepted only with a valid <c>X-Twilio-Signature</c> on the upgrade. <c>GET /voice/calls/{callSid}/events</c>
/// (agent key): the call's transcript lines and suggestions as server-sent events.
/// </summary>
public static partial class VoiceEndpoints
{
    public const string StreamPath = "/voice/stream";
    public const string StreamName = "flex-assist";

    /// <summary>A Media Streams message is far smaller; anything bigger is not Twilio.</summary>
    private const int MaxMessageBytes = 64 * 1024;

    public static IServiceCollection AddVoice(this IServiceCollection services) => services.AddVoiceAssist();

    public static IEndpointRouteBuilder MapVoice(this IEndpointRouteBuilder app)
    {
        app.MapPost("/voice/incoming", Incoming).RequireAuthorization(AccessPolicies.TwilioSigned).DisableAntiforgery().ExcludeFromDescription();
        var calls = app.MapGroup("/voice/calls/{callSid}").RequireAuthorization(AccessPolicies.Agent).WithMetadata(new AgentKeyRequired()).ExcludeFromDescription();
        calls.MapPost("/assist", StartAssistAsync);
        calls.MapDelete("/assist", StopAssistAsync);
        calls.MapGet("/events", EventsAsync);
        app.Map(StreamPath, StreamAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The stream's address as Twilio must call it: wss:// for an https public URL, ws:// for an http one.</summary>
    public static string StreamUrl(TwilioCallbacks callbacks, HttpRequest request)
    {
        var baseUrl = callbacks.BaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
        return (baseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + baseUrl["https://".Length..] : "ws://" + baseUrl[(baseUrl.IndexOf("://", StringComparison.Ordinal) + 3)..])
            + StreamPath;
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Incoming(HttpContext context, TwilioCallbacks callbacks, IOptions<RoutingOptions> routing)
    {
        var form = context.Features.Get<SignedBody>()!;
        if (routing.Value.WorkflowSid?.Trim() is not { Length: > 0 } workflow)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No Flex workflow is configured",
                detail: "Set FLEX_WORKFLOW_SID (and FLEX_WORKSPACE_SID), the TaskRouter workflow calls are enqueued to, and restart the server.");
        }

        var from = form["From"] ?? "";
        var task = JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "inbound", ["name"] = from, ["from"] = from, ["assist"] = "voice" });
        var twiml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
              <Start>
                <Stream url="{Xml(StreamUrl(callbacks, context.Request))}" name="{StreamName}" track="inbound_track">
                  <Parameter name="from" value="{Xml(from)}"/>
                </Stream>
              </Start>
              <Enqueue workflowSid="{Xml(workflow)}">
                <Task>{Xml(task)}</Task>
              </Enqueue>
            </Response>
            """;
        return TypedResults.Content(twiml, "text/xml; charset=utf-8");
    }

    private static async Task<Results<Ok<AssistState>, ProblemHttpResult>> StartAssistAsync(
        string callSid, HttpContext context, VoiceClient voice, TwilioCallbacks callbacks, IOptions<TwilioOptions> twilio, CancellationToken cancellationToken)
    {
        CheckCallSid(callSid);
        try
        {
            var stream = await voice.StartStreamAsync(AccountSid(twilio), callSid, StreamUrl(callbacks, context.Request), StreamName, cancellationToken);
            return TypedResults.Ok(new AssistState(callSid, stream.Sid, "started"));
        }
        catch (TwilioApiException error) when (error.Status == System.Net.HttpStatusCode.NotFound)
        {
            return NotFound("Twilio knows no call in progress with this SID.");
        }
    }

    private static async Task<Results<Ok<AssistState>, ProblemHttpResult>> StopAssistAsync(
        string callSid, VoiceClient voice, IOptions<TwilioOptions> twilio, CancellationToken cancellationToken)
    {
        CheckCallSid(callSid);
        try
        {
            var stream = await voice.StopStreamAsync(AccountSid(twilio), callSid, StreamName, cancellationToken);
            return TypedResults.Ok(new AssistState(callSid, stream.Sid, "stopped"));
        }
        catch (TwilioApiException error) when (error.Status == System.Net.HttpStatusCode.NotFound)
        {
            return NotFound("No assist stream is running on this call (or Twilio knows no such call).");
        }
    }

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such call or stream", detail: detail);

    /// <summary>
    /// The call's events as server-sent events, from now until the call's assist ends (or the server stops). The stream
    /// opens with a comment, so an agent's UI knows it is listening before the first event.
    /// </summary>
    private static async Task EventsAsync(string callSid, HttpContext context, AssistFeed feed, IHostApplicationLifetime lifetime)
    {
        CheckCallSid(callSid);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var events = feed.Subscribe(callSid, ended.Token);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            // A comment line (which event stream readers skip) sends the headers and says the stream is live.
            await context.Response.WriteAsync(": listening\n\n", ended.Token);
            await context.Response.Body.FlushAsync(ended.Token);
            await SseFormatter.WriteAsync(events, context.Response.Body, ended.Token);
        }
        catch (OperationCanceledException)
        {
            // The agent went away, or the server is stopping.
        }
    }

    /// <summary>
    /// The Media Streams socket. The upgrade must be signed by Twilio (over the stream's URL, as ws(s):// or http(s)://);
    /// then <c>start</c> begins the call's assist (unless VOICE_MAX_CALLS are assisted: the socket is closed with 1008),
    /// each inbound <c>media</c> frame is queued for the model, and <c>stop</c> or the socket's end releases everything.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, VoiceCalls calls, TwilioCallbacks callbacks, IOptions<TwilioOptions> twilio, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new InvalidInputException("Upgrade", "This is Twilio's Media Streams WebSocket: connect with a WebSocket upgrade.");
        }

        var signature = context.Request.Headers[TwilioSignature.Header].ToString();
        var stream = StreamUrl(callbacks, context.Request) + context.Request.QueryString;
        var https = stream.StartsWith("wss://", StringComparison.Ordinal) ? "https://" + stream["wss://".Length..] : "http://" + stream["ws://".Length..];
        if (signature.Length == 0 || !new[] { stream, https }.Any(url => TwilioSignature.IsValid(twilio.Value.AuthToken ?? "", url, [], signature)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new() { Status = 403, Title = "Invalid Twilio signature", Detail = "Only Twilio's signed Media Streams connections are accepted here." },
            });
            return;
        }

        var logger = loggers.CreateLogger(typeof(VoiceEndpoints));
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        CallAssistant? assistant = null;
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (await WebSocketMessages.ReceiveAsync(socket, buffer, MaxMessageBytes, context.RequestAborted) is { } message)
            {
                using var document = JsonDocument.Parse(message);
                var root = document.RootElement;
                switch (root.TryGetProperty("event", out var kind) ? kind.GetString() : null)
                {
                    case "start" when assistant is null:
                        var callSid = root.GetProperty("start").GetProperty("callSid").GetString() ?? "";
                        assistant = calls.TryBegin(callSid);
                        if (assistant is null)
                        {
                            Log.TooManyCalls(logger, callSid);
                            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "VOICE_MAX_CALLS calls are assisted already", context.RequestAborted);
                            return;
                        }

                        Log.Started(logger, callSid);
                        break;
                    case "media" when assistant is not null:
                        var media = root.GetProperty("media");
                        if (!media.TryGetProperty("track", out var track) || track.GetString() is "inbound" or null)
                        {
                            assistant.Offer(media.GetProperty("payload").GetBytesFromBase64());
                        }

                        break;
                    case "stop":
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "stream stopped", context.RequestAborted);
                        return;
                }
            }
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or KeyNotFoundException
            or WebSocketException { WebSocketErrorCode: WebSocketError.InvalidState })
        {
            Log.Unreadable(logger, error.Message);
            await socket.CloseOutputAsync(WebSocketCloseStatus.InvalidPayloadData, "not a Media Streams message", CancellationToken.None);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            // Twilio's side went away: released below.
        }
        finally
        {
            if (assistant is not null)
            {
                await calls.EndAsync(assistant);
                Log.Ended(logger, assistant.CallSid, assistant.Forwarded, assistant.Dropped);
            }
        }
    }

    private static string AccountSid(IOptions<TwilioOptions> twilio) =>
        twilio.Value.AccountSid?.Trim() is { Length: > 0 } account ? account : throw new TwilioNotConfiguredException();

    private static void CheckCallSid(string callSid)
    {
        if (!CallSidPattern().IsMatch(callSid))
        {
            throw new InvalidInputException("callSid", "callSid must be a Twilio call SID: CA followed by 32 hexadecimal characters.");
        }
    }

    private static string Xml(string text) => SecurityElement.Escape(text);

    [GeneratedRegex("^CA[0-9a-fA-F]{32}$")]
    private static partial Regex CallSidPattern();

    /// <summary>A call's assist as the agent endpoints answer it.</summary>
    public sealed record AssistState(string CallSid, string StreamSid, string Status);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Assisting call {CallSid}")]
        public static partial void Started(ILogger logger, string callSid);

        [LoggerMessage(Level = LogLevel.Information, Message = "Assist for call {CallSid} ended: {Forwarded} frames forwarded, {Dropped} dropped")]
        public static partial void Ended(ILogger logger, string callSid, long forwarded, long dropped);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallSid} is not assisted: VOICE_MAX_CALLS calls are assisted already")]
        public static partial void TooManyCalls(ILogger logger, string callSid);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A Media Streams message could not be read ({Failure}); the stream is closed")]
        public static partial void Unreadable(ILogger logger, string failure);
    }
}
