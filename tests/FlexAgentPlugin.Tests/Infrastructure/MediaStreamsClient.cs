using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.TestHost;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>Plays Twilio's side of a Media Streams WebSocket: the signed upgrade, then connected, start, media, stop.</summary>
public sealed class MediaStreamsClient(WebSocket socket) : IDisposable
{
    public const string StreamSid = "MZ0123456789abcdef0123456789abcdef";

    private int sequence;

    public string CallSid { get; private set; } = "";

    public WebSocket Socket { get; } = socket;

    /// <summary>
    /// Connects to the server's <c>/voice/stream</c> with the signature Twilio would send for <paramref name="signedUrl"/>
    /// (null: no signature), and sends <c>connected</c> and a <c>start</c> whose custom parameters carry <paramref name="ticket"/>.
    /// </summary>
    public static async Task<MediaStreamsClient> ConnectAsync(TestServer server, string? signedUrl, string callSid, string? ticket, string authToken = PluginFactory.AuthToken)
    {
        var twilio = await OpenAsync(server, signedUrl, authToken);
        await twilio.StartAsync(callSid, ticket);
        return twilio;
    }

    /// <summary>The signed upgrade and <c>connected</c>, nothing more.</summary>
    public static async Task<MediaStreamsClient> OpenAsync(TestServer server, string? signedUrl, string authToken = PluginFactory.AuthToken)
    {
        var client = server.CreateWebSocketClient();
        if (signedUrl is not null)
        {
            client.ConfigureRequest = request => request.Headers[TwilioSignature.Header] = RequestSigner.Sign(authToken, signedUrl, []);
        }

        var socket = await client.ConnectAsync(new Uri("ws://localhost/voice/stream"), CancellationToken.None);
        var twilio = new MediaStreamsClient(socket);
        await twilio.SendAsync(new JsonObject { ["event"] = "connected", ["protocol"] = "Call", ["version"] = "1.0.0" });
        return twilio;
    }

    /// <summary>The stream's <c>start</c>, with <paramref name="ticket"/> (when given) among its custom parameters, as the TwiML or the Voice API set them.</summary>
    public Task StartAsync(string callSid, string? ticket)
    {
        CallSid = callSid;
        var parameters = new JsonObject { ["from"] = "+15551230000" };
        if (ticket is not null)
        {
            parameters[StreamTickets.Parameter] = ticket;
        }

        return SendAsync(new JsonObject
        {
            ["event"] = "start",
            ["sequenceNumber"] = Next(),
            ["start"] = new JsonObject
            {
                ["accountSid"] = PluginFactory.AccountSid,
                ["streamSid"] = StreamSid,
                ["callSid"] = callSid,
                ["tracks"] = new JsonArray("inbound"),
                ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000, ["channels"] = 1 },
                ["customParameters"] = parameters,
            },
            ["streamSid"] = StreamSid,
        });
    }

    /// <summary>One 20 ms frame of the caller's audio (160 bytes of μ-law), or of the agent's with <paramref name="track"/> <c>outbound</c>.</summary>
    public Task MediaAsync(byte[] frame, int chunk, string track = "inbound") => SendAsync(new JsonObject
    {
        ["event"] = "media",
        ["sequenceNumber"] = Next(),
        ["media"] = new JsonObject { ["track"] = track, ["chunk"] = chunk.ToString(System.Globalization.CultureInfo.InvariantCulture), ["timestamp"] = (chunk * 20).ToString(System.Globalization.CultureInfo.InvariantCulture), ["payload"] = Convert.ToBase64String(frame) },
        ["streamSid"] = StreamSid,
    });

    public Task StopAsync() => SendAsync(new JsonObject
    {
        ["event"] = "stop",
        ["sequenceNumber"] = Next(),
        ["stop"] = new JsonObject { ["accountSid"] = PluginFactory.AccountSid, ["callSid"] = CallSid },
        ["streamSid"] = StreamSid,
    });

    /// <summary>The close status the server ends the socket with.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync()
    {
        var buffer = new byte[1024];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var received = await Socket.ReceiveAsync(buffer, limit.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return received.CloseStatus;
            }
        }
    }

    public Task SendAsync(JsonObject message) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    public void Dispose() => Socket.Dispose();

    private string Next() => (++sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
