using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// One track of an assisted call (the customer's or the agent's) in its own session with OpenAI's Realtime API (GA): the
/// customer's is transcribed and answered, the agent's only transcribed. Audio frames (8 kHz μ-law, as Twilio sends them) wait in
/// a bounded queue and are forwarded as they arrive (<c>input_audio_buffer.append</c>); when the model connection is slow
/// the oldest frames are dropped, so Twilio's socket is never held up. The session is configured with a
/// <c>session.update</c> (realtime, <c>audio/pcmu</c> input, transcription, server VAD, text output, instructions). The
/// model's transcript lines (labelled with the track's speaker) and answers are published (<see cref="AssistFeed"/>). A dropped or expired connection is
/// opened again, with back-off, until the call ends; disposing ends everything.
/// </summary>
public sealed partial class CallAssistant : IAsyncDisposable
{
    /// <summary>Frames kept while the model connection is slow or being reopened: 5 s of 20 ms frames.</summary>
    public const int QueueFrames = 250;

    private const int MaxEventBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly string callSid;
    private readonly string speaker;
    private readonly string instructions;
    private readonly VoiceOptions options;
    private readonly IRealtimeConnector connector;
    private readonly AssistFeed feed;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly Channel<byte[]> audio;
    private readonly CancellationTokenSource ended = new();
    private readonly Task running;
    private string? lastQuestion;
    private string? waitingAnswer;
    private long forwarded;
    private long dropped;

    public CallAssistant(
        string callSid, string speaker, string instructions, VoiceOptions options, IRealtimeConnector connector, AssistFeed feed, TimeProvider clock, ILogger logger)
    {
        this.callSid = callSid;
        this.speaker = speaker;
        this.instructions = instructions;
        this.options = options;
        this.connector = connector;
        this.feed = feed;
        this.clock = clock;
        this.logger = logger;
        audio = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(QueueFrames) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Interlocked.Increment(ref dropped));
        running = Task.Run(() => RunAsync(ended.Token));
    }

    public string CallSid => callSid;

    public long Forwarded => Interlocked.Read(ref forwarded);

    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Queues one frame of the caller's audio; never waits.</summary>
    public void Offer(byte[] frame) => audio.Writer.TryWrite(frame);

    public async ValueTask DisposeAsync()
    {
        audio.Writer.TryComplete();
        await ended.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // Ended.
        }

        ended.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = await connector.ConnectAsync(options.ModelUri, cancellationToken);
                await SendAsync(socket, SessionUpdate(options, instructions, answers: Answers), cancellationToken);
                failures = 0;
                using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var sending = ForwardAudioAsync(socket, connection.Token);
                var reading = ReadEventsAsync(socket, connection.Token);
                await Task.WhenAny(sending, reading);
                await connection.CancelAsync();
                await Task.WhenAll(Quietly(sending), Quietly(reading));
                if (sending.IsCompletedSuccessfully && audio.Reader.Completion.IsCompleted)
                {
                    await CloseAsync(socket);
                    return;
                }

                Log.Reconnecting(logger, callSid, socket.CloseStatus?.ToString() ?? "the connection dropped");
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested && error is WebSocketException or HttpRequestException or IOException or OperationCanceledException or JsonException)
            {
                Log.ConnectFailed(logger, callSid, error.Message);
            }

            await Task.Delay(Backoff[Math.Min(failures++, Backoff.Length - 1)], clock, cancellationToken);
        }
    }

    /// <summary>True for the customer's track, whose questions the model answers.</summary>
    private bool Answers => speaker == AssistFeed.CustomerSpeaker;

    /// <summary>
    /// The session: realtime, μ-law in (no resampling), the track's speech transcribed, server VAD, text out; the model
    /// answers only when <paramref name="answers"/> (the customer's track).
    /// </summary>
    public static JsonObject SessionUpdate(VoiceOptions options, string instructions, bool answers) => new()
    {
        ["type"] = "session.update",
        ["session"] = new JsonObject
        {
            ["type"] = "realtime",
            ["output_modalities"] = new JsonArray("text"),
            ["instructions"] = instructions,
            ["audio"] = new JsonObject
            {
                ["input"] = new JsonObject
                {
                    ["format"] = new JsonObject { ["type"] = "audio/pcmu" },
                    ["transcription"] = new JsonObject { ["model"] = options.TranscriptionModel },
                    ["turn_detection"] = new JsonObject { ["type"] = "server_vad", ["create_response"] = answers },
                },
            },
        },
    };

    private async Task ForwardAudioAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        await foreach (var frame in audio.Reader.ReadAllAsync(cancellationToken))
        {
            var append = $$"""{"type":"input_audio_buffer.append","audio":"{{Convert.ToBase64String(frame)}}"}""";
            await socket.SendAsync(Encoding.UTF8.GetBytes(append), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            Interlocked.Increment(ref forwarded);
        }
    }

    /// <summary>Reads the model's events as JSON (any valid number included), acting on transcripts and answers.</summary>
    private async Task ReadEventsAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (await WebSocketMessages.ReceiveAsync(socket, buffer, MaxEventBytes, cancellationToken) is { } message)
        {
            await HandleAsync(message, cancellationToken);
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "conversation.item.input_audio_transcription.completed" when !Answers && Text(root, "transcript") is { Length: > 0 } said:
                await feed.TranscriptAsync(callSid, speaker, said, cancellationToken);
                break;
            case "conversation.item.input_audio_transcription.completed" when Text(root, "transcript") is { Length: > 0 } transcript:
                lastQuestion = transcript;
                await feed.TranscriptAsync(callSid, speaker, transcript, cancellationToken);
                if (waitingAnswer is { } answer)
                {
                    // The answer came before its transcript (they are made apart): it goes out with it now.
                    waitingAnswer = null;
                    lastQuestion = null;
                    await feed.SuggestionAsync(callSid, transcript, answer, cancellationToken);
                }

                break;
            case "response.output_text.done" when Answers && Text(root, "text") is { Length: > 0 } text && ModelAnswer.Read(text) is { Answer.Length: > 0 } answered:
                if ((answered.Question ?? lastQuestion) is { } question)
                {
                    // The model's own question, when it names one, is what its answer answers.
                    lastQuestion = null;
                    await feed.SuggestionAsync(callSid, question, answered.Answer, cancellationToken);
                }
                else
                {
                    waitingAnswer = answered.Answer;
                }

                break;
            case "error":
                Log.ModelError(logger, callSid, root.TryGetProperty("error", out var error) ? Text(error, "message") ?? "" : "");
                break;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()?.Trim() : null;

    private static Task SendAsync(WebSocket socket, JsonObject message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static async Task CloseAsync(WebSocket socket)
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "call ended", limit.Token);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            // The model's side is gone already.
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException or JsonException or IOException)
        {
            // The connection ended; the loop decides what next.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The model connection for call {CallSid} ended ({Reason}); opening it again")]
        public static partial void Reconnecting(ILogger logger, string callSid, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reach the Realtime model for call {CallSid}: {Failure}")]
        public static partial void ConnectFailed(ILogger logger, string callSid, string failure);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The Realtime model reported an error for call {CallSid}: {Error}")]
        public static partial void ModelError(ILogger logger, string callSid, string error);
    }
}
