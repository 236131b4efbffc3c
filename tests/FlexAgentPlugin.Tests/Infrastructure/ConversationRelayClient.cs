using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.TestHost;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// Plays Twilio's side of a ConversationRelay WebSocket: the signed upgrade, <c>setup</c>, then the caller's
/// <c>prompt</c>, <c>dtmf</c> and <c>interrupt</c>; what the server sends back is read message by message.
/// </summary>
public sealed class ConversationRelayClient : IDisposable
{
    private readonly Channel<JsonObject> received = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ConversationRelayClient(WebSocket socket)
    {
        Socket = socket;
        _ = Task.Run(ReadAsync);
    }

    public WebSocket Socket { get; }

    /// <summary>Opens <c>/voice/relay</c> signed for <paramref name="signedUrl"/> (null: unsigned) and, with <paramref name="callSid"/>, sends <c>setup</c>.</summary>
    public static async Task<ConversationRelayClient> ConnectAsync(TestServer server, string? signedUrl, string? callSid, string authToken = PluginFactory.AuthToken)
    {
        var client = server.CreateWebSocketClient();
        if (signedUrl is not null)
        {
            client.ConfigureRequest = request => request.Headers[TwilioSignature.Header] = RequestSigner.Sign(authToken, signedUrl, []);
        }

        var relay = new ConversationRelayClient(await client.ConnectAsync(new Uri("ws://localhost/voice/relay"), CancellationToken.None));
        if (callSid is not null)
        {
            await relay.SendAsync(new JsonObject
            {
                ["type"] = "setup", ["sessionId"] = "VX0123456789abcdef0123456789abcdef", ["accountSid"] = PluginFactory.AccountSid,
                ["callSid"] = callSid, ["from"] = "+15551230000", ["to"] = "+15005550006", ["direction"] = "inbound",
                ["callStatus"] = "IN-PROGRESS", ["customParameters"] = new JsonObject { ["from"] = "+15551230000" },
            });
        }

        return relay;
    }

    public Task PromptAsync(string words, bool last = true) =>
        SendAsync(new JsonObject { ["type"] = "prompt", ["voicePrompt"] = words, ["lang"] = "en-US", ["last"] = last });

    public Task DtmfAsync(string digit) => SendAsync(new JsonObject { ["type"] = "dtmf", ["digit"] = digit });

    public Task InterruptAsync(string heard, int durationMs = 1200) =>
        SendAsync(new JsonObject { ["type"] = "interrupt", ["utteranceUntilInterrupt"] = heard, ["durationUntilInterruptMs"] = durationMs });

    public Task SendAsync(JsonObject message) => SendTextAsync(message.ToJsonString());

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message the server sent (within 10 s).</summary>
    public async Task<JsonObject> NextAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await received.Reader.ReadAsync(limit.Token);
    }

    /// <summary>The <c>text</c> tokens of one answer, up to and including the one marked <c>last</c>.</summary>
    public async Task<IReadOnlyList<JsonObject>> AnswerAsync()
    {
        var tokens = new List<JsonObject>();
        while (true)
        {
            var message = await NextAsync();
            Assert.Equal("text", (string?)message["type"]);
            tokens.Add(message);
            if ((bool)message["last"]!)
            {
                return tokens;
            }
        }
    }

    /// <summary>True when nothing more has arrived.</summary>
    public bool IsQuiet => !received.Reader.TryPeek(out _);

    /// <summary>The close status the server ends the socket with (within 10 s).</summary>
    public Task<WebSocketCloseStatus?> ClosedAsync() => closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public void Dispose() => Socket.Dispose();

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var text = new StringBuilder();
                WebSocketReceiveResult result;
                do
                {
                    result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        closed.TrySetResult(result.CloseStatus);
                        received.Writer.TryComplete();
                        return;
                    }

                    text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                }
                while (!result.EndOfMessage);

                received.Writer.TryWrite((JsonObject)JsonNode.Parse(text.ToString())!);
            }
        }
        catch (Exception error) when (error is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            closed.TrySetResult(null);
            received.Writer.TryComplete();
        }
    }
}
