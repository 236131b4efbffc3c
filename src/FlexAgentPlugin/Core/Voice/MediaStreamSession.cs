using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// One accepted Media Streams socket, as Twilio plays it: <c>connected</c>, <c>start</c>, a <c>media</c> frame every
/// 20 ms while the call lasts, <c>stop</c>. The <c>start</c> must come within <see cref="StartTimeout"/> and carry a
/// valid ticket for its call (<see cref="StreamTickets"/>); only then does the stream take one of VOICE_MAX_CALLS and
/// its frames go to the model. A stream with no media for <see cref="MediaTimeout"/> is closed and releases its place.
/// A socket that breaks these rules is closed with 1008 (policy violation); one whose messages cannot be read, with 1007.
/// </summary>
internal sealed partial class MediaStreamSession(WebSocket socket, VoiceCalls calls, StreamTickets tickets, TimeProvider clock, ILogger logger)
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A Media Streams message is far smaller; anything bigger is not Twilio.</summary>
    private const int MaxMessageBytes = 64 * 1024;

    private readonly TaskCompletionSource quiet = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private AssistedTracks? assistant;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var timer = clock.CreateTimer(_ => quiet.TrySetResult(), null, StartTimeout, Timeout.InfiniteTimeSpan);
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                var receive = WebSocketMessages.ReceiveAsync(socket, buffer, MaxMessageBytes, receiving.Token);
                if (await Task.WhenAny(receive, quiet.Task) != receive)
                {
                    await CloseQuietAsync(receive, receiving, aborted);
                    return;
                }

                if (await receive is not { } message || !await HandleAsync(message, timer, aborted))
                {
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

    /// <summary>Acts on one message; false when the socket is done.</summary>
    private async Task<bool> HandleAsync(ReadOnlyMemory<byte> message, ITimer timer, CancellationToken aborted)
    {
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        switch (root.TryGetProperty("event", out var kind) ? kind.GetString() : null)
        {
            case "start" when assistant is null:
                var start = root.GetProperty("start");
                var callSid = start.GetProperty("callSid").GetString() ?? "";
                if (!tickets.IsValid(callSid, Ticket(start)))
                {
                    Log.Unbound(logger, callSid);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "the stream carries no valid ticket for its call", aborted);
                    return false;
                }

                assistant = await calls.TryBeginAsync(callSid);
                if (assistant is null)
                {
                    Log.TooManyCalls(logger, callSid);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "VOICE_MAX_CALLS calls are assisted already", aborted);
                    return false;
                }

                timer.Change(MediaTimeout, Timeout.InfiniteTimeSpan);
                Log.Started(logger, callSid);
                return true;
            case "media" when assistant is not null:
                timer.Change(MediaTimeout, Timeout.InfiniteTimeSpan);
                var media = root.GetProperty("media");
                assistant.Offer(media.TryGetProperty("track", out var track) ? track.GetString() : null, media.GetProperty("payload").GetBytesFromBase64());

                return true;
            case "stop":
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "stream stopped", aborted);
                return false;
            default:
                return true;
        }
    }

    private static string? Ticket(JsonElement start) =>
        start.TryGetProperty("customParameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty(StreamTickets.Parameter, out var ticket) && ticket.ValueKind == JsonValueKind.String
            ? ticket.GetString()
            : null;

    /// <summary>Closes a socket that went quiet (no start, or no media): the close is sent, then the pending read is dropped.</summary>
    private async Task CloseQuietAsync(Task<ReadOnlyMemory<byte>?> receive, CancellationTokenSource receiving, CancellationToken aborted)
    {
        var reason = assistant is null ? "no start" : "no media";
        Log.Quiet(logger, assistant?.CallSid ?? "(none)", reason);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, reason, aborted);
        }
        finally
        {
            await receiving.CancelAsync();
            try
            {
                await receive;
            }
            catch (Exception error) when (error is OperationCanceledException or WebSocketException)
            {
                // The read was dropped on purpose.
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Assisting call {CallSid}")]
        public static partial void Started(ILogger logger, string callSid);

        [LoggerMessage(Level = LogLevel.Information, Message = "Assist for call {CallSid} ended: {Forwarded} frames forwarded, {Dropped} dropped")]
        public static partial void Ended(ILogger logger, string callSid, long forwarded, long dropped);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallSid} is not assisted: VOICE_MAX_CALLS calls are assisted already")]
        public static partial void TooManyCalls(ILogger logger, string callSid);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A stream for call {CallSid} was refused: its start carries no valid ticket for the call")]
        public static partial void Unbound(ILogger logger, string callSid);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The stream for call {CallSid} was closed: {Reason} in time")]
        public static partial void Quiet(ILogger logger, string callSid, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A Media Streams message could not be read ({Failure}); the stream is closed")]
        public static partial void Unreadable(ILogger logger, string failure);
    }
}
