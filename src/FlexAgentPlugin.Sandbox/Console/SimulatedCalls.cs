using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Sandbox.StandIn;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// "Simulate a call": plays Twilio's side of a Media Streams connection to the server's own <c>/voice/stream</c> (signed
/// with the emulated account's auth token, as Twilio signs it), streaming the sample call in real time, one 20 ms frame
/// every 20 ms, then <c>stop</c>. What the server makes of it reaches the console through the emulated Sync stream.
/// </summary>
public sealed partial class SimulatedCalls(
    SandboxSession session, EmulatorState state, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<SimulatedCalls> logger)
{
    public string Start()
    {
        var callSid = "CA" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        state.AddCall(callSid);
        _ = Task.Run(() => StreamAsync(callSid, lifetime.ApplicationStopping));
        return callSid;
    }

    private async Task StreamAsync(string callSid, CancellationToken cancellationToken)
    {
        var streamSid = "MZ" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        try
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader(RequestSigner.Header, RequestSigner.Sign(session.Account.AuthToken, session.VoiceStreamUrl, []));
            await socket.ConnectAsync(new Uri(session.VoiceStreamUrl), cancellationToken);
            await SendAsync(socket, new JsonObject { ["event"] = "connected", ["protocol"] = "Call", ["version"] = "1.0.0" }, cancellationToken);
            await SendAsync(socket, new JsonObject
            {
                ["event"] = "start", ["sequenceNumber"] = "1", ["streamSid"] = streamSid,
                ["start"] = new JsonObject
                {
                    ["accountSid"] = session.Account.AccountSid, ["streamSid"] = streamSid, ["callSid"] = callSid, ["tracks"] = new JsonArray("inbound"),
                    ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000, ["channels"] = 1 },
                    ["customParameters"] = new JsonObject { ["from"] = "+15550100" },
                },
            }, cancellationToken);
            var frames = SampleCall.Frames();
            var started = clock.GetTimestamp();
            for (var i = 0; i < frames.Count; i++)
            {
                // Real time: frame i leaves at i × 20 ms after the start, however long the sends took.
                var due = TimeSpan.FromMilliseconds(20 * i) - clock.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, clock, cancellationToken);
                }

                await SendAsync(socket, new JsonObject
                {
                    ["event"] = "media", ["sequenceNumber"] = (i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), ["streamSid"] = streamSid,
                    ["media"] = new JsonObject { ["track"] = "inbound", ["chunk"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ["timestamp"] = (20 * i).ToString(System.Globalization.CultureInfo.InvariantCulture), ["payload"] = Convert.ToBase64String(frames[i]) },
                }, cancellationToken);
            }

            await SendAsync(socket, new JsonObject { ["event"] = "stop", ["sequenceNumber"] = (frames.Count + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), ["streamSid"] = streamSid, ["stop"] = new JsonObject { ["accountSid"] = session.Account.AccountSid, ["callSid"] = callSid } }, cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "call ended", limit.Token);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            StreamFailed(logger, callSid, error.Message);
        }
        finally
        {
            state.EndCall(callSid);
        }
    }

    private static Task SendAsync(ClientWebSocket socket, JsonObject message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The simulated call {CallSid} could not stream to /voice/stream: {Reason}")]
    private static partial void StreamFailed(ILogger logger, string callSid, string reason);
}
