using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox.StandIn;

/// <summary>
/// A stand-in for OpenAI's Realtime API (GA WebSocket protocol) at <c>/sandbox/openai/v1/realtime</c>, so voice assist
/// runs in the sandbox with no key. It does not recognise speech: it finds where the caller pauses (the loudness of the
/// μ-law frames it is sent), and at the end of each spoken stretch sends the next line of the sample call's transcript
/// as the transcription, and an answer found in the sample knowledge by keyword match as the model's text. Client events
/// it does not know are answered with an <c>error</c> event and recorded as unknown.
/// </summary>
internal static class StandInRealtime
{
    /// <summary>Frames (20 ms) of quiet that end a spoken stretch, and the least speech that counts as one.</summary>
    private const int PauseFrames = 30;
    private const int MinSpeechFrames = 10;

    /// <summary>Mean loudness (16-bit linear) above which a frame counts as speech.</summary>
    private const int SpeechLevel = 300;

    public static void MapStandInRealtime(this IEndpointRouteBuilder app) =>
        app.Map($"{SandboxAccount.ModelPath}/realtime", async (HttpContext context, SandboxSession session, EmulatorState state) =>
        {
            if (!context.WebSockets.IsWebSocketRequest || context.Request.Headers.Authorization.ToString() != $"Bearer {session.ModelKey}")
            {
                context.Response.StatusCode = context.WebSockets.IsWebSocketRequest ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await new Session(socket, state, context.RequestAborted).RunAsync();
        }).ExcludeFromDescription();

    private sealed class Session(WebSocket socket, EmulatorState state, CancellationToken cancellationToken)
    {
        private readonly IReadOnlyList<string> lines = SampleCall.Lines();
        private readonly string knowledge = File.Exists(SandboxSession.SampleKnowledgePath) ? File.ReadAllText(SandboxSession.SampleKnowledgePath) : "";
        private int speech;
        private int quiet;
        private int spoken;
        private int events;

        public async Task RunAsync()
        {
            await SendAsync(new JsonObject
            {
                ["type"] = "session.created",
                ["session"] = new JsonObject { ["type"] = "realtime", ["object"] = "realtime.session", ["id"] = StandInModel.NewId("sess_"), ["model"] = "stand-in" },
            });
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult received;
                    do
                    {
                        received = await socket.ReceiveAsync(buffer, cancellationToken);
                        if (received.MessageType == WebSocketMessageType.Close)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                            return;
                        }

                        message.Write(buffer, 0, received.Count);
                    }
                    while (!received.EndOfMessage);

                    await HandleAsync(JsonNode.Parse(message.ToArray()) as JsonObject);
                }
            }
            catch (Exception error) when (error is WebSocketException or OperationCanceledException or JsonException)
            {
                // The server hung up.
            }
        }

        private async Task HandleAsync(JsonObject? message)
        {
            switch ((string?)message?["type"])
            {
                case "session.update" when message!["session"] is JsonObject session && (string?)session["type"] == "realtime":
                    await SendAsync(new JsonObject { ["type"] = "session.updated", ["session"] = session.DeepClone() });
                    break;
                case "input_audio_buffer.append" when (string?)message!["audio"] is { } audio:
                    await ListenAsync(Convert.FromBase64String(audio));
                    break;
                default:
                    state.RecordUnknown($"stand-in Realtime API: client event {(string?)message?["type"]}");
                    await SendAsync(new JsonObject
                    {
                        ["type"] = "error",
                        ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["code"] = "unknown_event", ["message"] = "The stand-in does not know this event.", ["param"] = null, ["event_id"] = null },
                    });
                    break;
            }
        }

        /// <summary>Counts speech and quiet; at a pause after speech, "hears" the next line of the sample.</summary>
        private async Task ListenAsync(byte[] frame)
        {
            if (Loudness(frame) > SpeechLevel)
            {
                speech++;
                quiet = 0;
                return;
            }

            if (speech >= MinSpeechFrames && ++quiet >= PauseFrames)
            {
                speech = 0;
                quiet = 0;
                var heard = spoken < lines.Count ? lines[spoken] : "(speech the stand-in cannot recognise)";
                spoken++;
                var item = StandInModel.NewId("item_");
                await SendAsync(new JsonObject
                {
                    ["type"] = "conversation.item.input_audio_transcription.completed", ["item_id"] = item, ["content_index"] = 0, ["transcript"] = heard,
                    ["usage"] = new JsonObject { ["type"] = "duration", ["seconds"] = 2.5 },
                });
                var decision = StandInModel.Decide("# Knowledge\n" + knowledge, [heard]);
                await SendAsync(new JsonObject
                {
                    ["type"] = "response.output_text.done", ["response_id"] = StandInModel.NewId("resp_"), ["item_id"] = StandInModel.NewId("item_"),
                    ["output_index"] = 0, ["content_index"] = 0,
                    ["text"] = decision.Text ?? "Nothing in the knowledge answers this: offer to find out and call back.",
                });
            }
        }

        /// <summary>The mean magnitude of the frame's samples, decoded from G.711 μ-law to 16-bit linear.</summary>
        private static double Loudness(byte[] frame) => frame.Length == 0 ? 0 : frame.Average(b => Math.Abs(Linear(b)));

        private static int Linear(byte encoded)
        {
            var u = ~encoded & 0xFF;
            var magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07);
            return (u & 0x80) != 0 ? 0x84 - magnitude : magnitude - 0x84;
        }

        private Task SendAsync(JsonObject serverEvent)
        {
            serverEvent["event_id"] = $"event_{++events}";
            return socket.SendAsync(Encoding.UTF8.GetBytes(serverEvent.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        }
    }
}
