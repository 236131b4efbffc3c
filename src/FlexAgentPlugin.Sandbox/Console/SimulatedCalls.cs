using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Sandbox.StandIn;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// "Simulate a call": plays Twilio's side of an incoming call to the server. The call comes in as Twilio's signed
/// <c>POST /voice/incoming</c>; the TwiML's <c>&lt;Stream&gt;</c> is opened as Twilio opens it (its URL, signed with the
/// emulated account's auth token; its <c>&lt;Parameter&gt;</c>s in <c>start</c>), and the sample call is streamed in
/// real time, one 20 ms frame every 20 ms, then <c>stop</c>. What the server makes of it reaches the console through
/// the emulated Sync stream.
/// </summary>
public sealed partial class SimulatedCalls(
    SandboxSession session, EmulatorState state, IHttpClientFactory clients, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<SimulatedCalls> logger)
{
    private const string Caller = "+15550100";

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
            var (streamUrl, parameters) = await AnswerAsync(callSid, cancellationToken);
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader(RequestSigner.Header, RequestSigner.Sign(session.Account.AuthToken, streamUrl, []));
            await socket.ConnectAsync(new Uri(streamUrl), cancellationToken);
            await SendAsync(socket, new JsonObject { ["event"] = "connected", ["protocol"] = "Call", ["version"] = "1.0.0" }, cancellationToken);
            await SendAsync(socket, new JsonObject
            {
                ["event"] = "start", ["sequenceNumber"] = "1", ["streamSid"] = streamSid,
                ["start"] = new JsonObject
                {
                    ["accountSid"] = session.Account.AccountSid, ["streamSid"] = streamSid, ["callSid"] = callSid, ["tracks"] = new JsonArray("inbound"),
                    ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000, ["channels"] = 1 },
                    ["customParameters"] = parameters,
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
        catch (Exception error) when (error is WebSocketException or OperationCanceledException or HttpRequestException or InvalidDataException or XmlException)
        {
            StreamFailed(logger, callSid, error.Message);
        }
        finally
        {
            state.EndCall(callSid);
        }
    }

    /// <summary>The call comes in: the server's TwiML for it, and the stream it starts (its URL and custom parameters).</summary>
    private async Task<(string Url, JsonObject Parameters)> AnswerAsync(string callSid, CancellationToken cancellationToken)
    {
        var url = session.SelfBaseUrl + "/voice/incoming";
        List<KeyValuePair<string, string>> form =
        [
            new("AccountSid", session.Account.AccountSid), new("CallSid", callSid), new("From", Caller), new("To", "+15550199"),
            new("CallStatus", "ringing"), new("Direction", "inbound"), new("ApiVersion", "2010-04-01"),
        ];
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(RequestSigner.Header, RequestSigner.Sign(session.Account.AuthToken, url, form));
        using var response = await clients.CreateClient(SandboxSetup.WebhookClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidDataException($"/voice/incoming answered HTTP {(int)response.StatusCode}");
        }

        var stream = XDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).Root?.Element("Start")?.Element("Stream")
            ?? throw new InvalidDataException("/voice/incoming answered TwiML with no <Start><Stream>");
        var parameters = new JsonObject();
        foreach (var parameter in stream.Elements("Parameter"))
        {
            parameters[(string?)parameter.Attribute("name") ?? ""] = (string?)parameter.Attribute("value");
        }

        return ((string?)stream.Attribute("url") ?? throw new InvalidDataException("the TwiML's <Stream> has no url"), parameters);
    }

    private static Task SendAsync(ClientWebSocket socket, JsonObject message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The simulated call {CallSid} could not be played to the server (/voice/incoming, then /voice/stream): {Reason}")]
    private static partial void StreamFailed(ILogger logger, string callSid, string reason);
}
