using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Voice;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>
/// One ConversationRelay socket, as Twilio plays it: <c>setup</c> first (within <see cref="SetupTimeout"/>), then the
/// caller's <c>prompt</c>, <c>dtmf</c> and <c>interrupt</c> messages, and <c>error</c>s Twilio reports. Back go
/// <c>text</c> tokens as the model writes them and, for a hand-off, <c>end</c> with its <c>handoffData</c>. A message
/// that cannot be read is logged as a warning and skipped: the caller stays on the line. When the socket closes (the
/// caller hung up, or the session ended) the model's work for the call stops.
/// </summary>
internal sealed partial class RelaySession(WebSocket socket, PhoneAiCalls calls, TimeProvider clock, ILogger logger) : ICallerLine, IDisposable
{
    public static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A ConversationRelay message is far smaller; anything bigger is not Twilio.</summary>
    private const int MaxMessageBytes = 64 * 1024;

    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly TaskCompletionSource noSetup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PhoneAiCall? call;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var timer = clock.CreateTimer(_ => noSetup.TrySetResult(), null, SetupTimeout, Timeout.InfiniteTimeSpan);
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                var receive = WebSocketMessages.ReceiveAsync(socket, buffer, MaxMessageBytes, receiving.Token);
                if (await Task.WhenAny(receive, noSetup.Task) != receive)
                {
                    Log.NoSetup(logger);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "no setup", aborted);
                    await receiving.CancelAsync();
                    await IgnoreAsync(receive);
                    return;
                }

                if (await receive is not { } message)
                {
                    return;
                }

                if (call is null)
                {
                    Setup(message, timer);
                    continue;
                }

                await HandleAsync(message);
            }
        }
        catch (WebSocketException error) when (error.WebSocketErrorCode == WebSocketError.InvalidState && socket.State == WebSocketState.Open)
        {
            // Too big to be Twilio's: nothing more from this socket can be trusted to be whole.
            Log.Unreadable(logger, call?.CallSid ?? "(none)", error.Message);
            await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", CancellationToken.None);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            // The caller hung up, or Twilio ended the session: the call is ended below.
        }
        finally
        {
            if (call is not null)
            {
                await calls.EndAsync(call);
                Log.Ended(logger, call.CallSid);
            }
        }
    }

    public void Dispose() => sending.Dispose();

    public Task SpeakAsync(string token, bool last, CancellationToken cancellationToken) =>
        SendAsync(new JsonObject { ["type"] = "text", ["token"] = token, ["last"] = last }, cancellationToken);

    public Task EndAsync(string handoffData, CancellationToken cancellationToken) =>
        SendAsync(new JsonObject { ["type"] = "end", ["handoffData"] = handoffData }, cancellationToken);

    /// <summary>The call begins with <c>setup</c> naming its call; anything before it is skipped with a warning.</summary>
    private void Setup(ReadOnlyMemory<byte> message, ITimer timer)
    {
        if (Read(message) is not { } root || Text(root, "type") != "setup" || Text(root, "callSid") is not { } callSid || !CallSids.IsCallSid(callSid))
        {
            Log.BeforeSetup(logger);
            return;
        }

        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        call = calls.Begin(callSid, this);
        Log.Started(logger, callSid);
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message)
    {
        var callSid = call!.CallSid;
        if (Read(message) is not { } root)
        {
            Log.Unreadable(logger, callSid, "not a JSON object");
            return;
        }

        switch (Text(root, "type"))
        {
            case "prompt" when Text(root, "voicePrompt") is { } words:
                if (root["last"]?.GetValueKind() != JsonValueKind.False)
                {
                    await call.PromptAsync(words);
                }

                break;
            case "interrupt":
                await call.InterruptAsync(Text(root, "utteranceUntilInterrupt") ?? "");
                break;
            case "dtmf" when Text(root, "digit") is { } digit:
                await call.DigitAsync(digit);
                break;
            case "error":
                Log.TwilioError(logger, callSid, Text(root, "description") ?? "(no description)");
                break;
            case "setup":
                Log.Unreadable(logger, callSid, "a second setup");
                break;
            case var other:
                Log.Unreadable(logger, callSid, other is null ? "no type" : $"an unknown or incomplete {other} message");
                break;
        }
    }

    private async Task SendAsync(JsonObject message, CancellationToken cancellationToken)
    {
        await sending.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sending.Release();
        }
    }

    private static JsonObject? Read(ReadOnlyMemory<byte> message)
    {
        try
        {
            return JsonNode.Parse(message.Span) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject root, string name) =>
        root[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static async Task IgnoreAsync(Task receive)
    {
        try
        {
            await receive;
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException)
        {
            // The read was dropped on purpose.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The AI answers call {CallSid}")]
        public static partial void Started(ILogger logger, string callSid);

        [LoggerMessage(Level = LogLevel.Information, Message = "The AI's session on call {CallSid} ended")]
        public static partial void Ended(ILogger logger, string callSid);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A ConversationRelay socket sent no setup in time and was closed")]
        public static partial void NoSetup(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A ConversationRelay message before a setup naming its call (CA…) was skipped")]
        public static partial void BeforeSetup(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A ConversationRelay message on call {CallSid} was skipped: {Problem}")]
        public static partial void Unreadable(ILogger logger, string callSid, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio reported an error on call {CallSid}'s ConversationRelay session: {Description}")]
        public static partial void TwilioError(ILogger logger, string callSid, string description);
    }
}
