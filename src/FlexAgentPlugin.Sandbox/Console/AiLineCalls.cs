using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>One line of a simulated AI call: the caller's sentence, or the AI's words as they arrived.</summary>
public sealed record AiLine(string Speaker, string Text);

/// <summary>A simulated AI call as the console shows it: its lines, its state, and the voice task a hand-off made.</summary>
public sealed record AiCallView(string CallSid, string State, IReadOnlyList<AiLine> Lines, AiVoiceTask? Task, string? Error);

/// <summary>The voice task Twilio would create from the server's <c>&lt;Enqueue&gt;</c>: its workflow and attributes.</summary>
public sealed record AiVoiceTask(string WorkflowSid, string? Reason, string? Summary);

/// <summary>
/// "Call the AI line": a simulated ConversationRelay session. No audio: the console plays Twilio's part in text over
/// the server's real paths. The call comes in as Twilio's signed <c>POST /voice/incoming</c>; the TwiML's
/// <c>&lt;ConversationRelay url&gt;</c> is opened with Twilio's signature and sent <c>setup</c>; each typed sentence
/// goes as a final <c>prompt</c>; the server's <c>text</c> tokens are shown as they arrive. On <c>end</c> the
/// <c>&lt;Connect action&gt;</c> URL is posted (signed) with <c>HandoffData</c>, and its <c>&lt;Enqueue&gt;</c> is shown
/// as the voice task Twilio would create.
/// </summary>
public sealed class AiLineCalls(SandboxSession session, IHttpClientFactory clients, IHostApplicationLifetime lifetime)
{
    private const string Caller = "+15550100";

    private readonly ConcurrentDictionary<string, Call> calls = new(StringComparer.Ordinal);

    public async Task<AiCallView> StartAsync(CancellationToken cancellationToken)
    {
        var callSid = "CA" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var twiml = XDocument.Parse(await PostSignedAsync(session.SelfBaseUrl + "/voice/incoming",
            [new("AccountSid", session.Account.AccountSid), new("CallSid", callSid), new("From", Caller), new("To", "+15550199"), new("CallStatus", "ringing")], cancellationToken));
        var connect = twiml.Root?.Element("Connect");
        var relay = connect?.Element("ConversationRelay")
            ?? throw new InvalidDataException("the server does not answer calls with the AI: set VOICE_RESPONDER=ai-first and restart");
        var url = (string?)relay.Attribute("url") ?? throw new InvalidDataException("the TwiML's <ConversationRelay> has no url");
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader(RequestSigner.Header, RequestSigner.Sign(session.Account.AuthToken, url, []));
        await socket.ConnectAsync(new Uri(url), cancellationToken);
        var call = new Call(callSid, socket, (string?)connect!.Attribute("action") ?? "");
        if ((string?)relay.Attribute("welcomeGreeting") is { Length: > 0 } greeting)
        {
            call.Add(new AiLine("ai", greeting));
        }

        calls[callSid] = call;
        await SendAsync(call, new JsonObject
        {
            ["type"] = "setup", ["sessionId"] = "VX" + callSid[2..], ["accountSid"] = session.Account.AccountSid, ["callSid"] = callSid,
            ["from"] = Caller, ["to"] = "+15550199", ["direction"] = "inbound", ["customParameters"] = new JsonObject { ["from"] = Caller },
        }, cancellationToken);
        _ = Task.Run(() => ListenAsync(call, lifetime.ApplicationStopping), CancellationToken.None);
        return call.View();
    }

    public AiCallView? Find(string callSid) => calls.TryGetValue(callSid, out var call) ? call.View() : null;

    public IReadOnlyList<AiCallView> All() => [.. calls.Values.OrderBy(c => c.Started).Select(c => c.View())];

    /// <summary>The caller says <paramref name="words"/>: a final prompt. False when the call is no longer with the AI.</summary>
    public async Task<bool> SayAsync(string callSid, string words, CancellationToken cancellationToken)
    {
        if (!calls.TryGetValue(callSid, out var call) || call.State != "with the AI")
        {
            return false;
        }

        call.Add(new AiLine("caller", words));
        await SendAsync(call, new JsonObject { ["type"] = "prompt", ["voicePrompt"] = words, ["lang"] = "en-US", ["last"] = true }, cancellationToken);
        return true;
    }

    private async Task ListenAsync(Call call, CancellationToken stopping)
    {
        var buffer = new byte[64 * 1024];
        var answering = false;
        try
        {
            while (call.Socket.State == WebSocketState.Open)
            {
                var received = await call.Socket.ReceiveAsync(buffer, stopping);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var message = JsonNode.Parse(buffer.AsSpan(0, received.Count))!;
                if ((string?)message["type"] == "text")
                {
                    call.Speak((string?)message["token"] ?? "", continuing: answering);
                    answering = !(bool)message["last"]!;
                }
                else if ((string?)message["type"] == "end")
                {
                    await HandOffAsync(call, (string?)message["handoffData"] ?? "", stopping);
                    await CloseAsync(call.Socket);
                    return;
                }
            }

            call.State = "ended";
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException or HttpRequestException or InvalidDataException or System.Xml.XmlException or System.Text.Json.JsonException)
        {
            call.Error = error.Message;
            call.State = "ended";
        }
    }

    /// <summary>As Twilio after <c>end</c>: the Connect action, signed, with the hand-off; its Enqueue is the voice task.</summary>
    private async Task HandOffAsync(Call call, string handoffData, CancellationToken cancellationToken)
    {
        var twiml = XDocument.Parse(await PostSignedAsync(call.Action,
            [new("AccountSid", session.Account.AccountSid), new("CallSid", call.CallSid), new("From", Caller), new("SessionStatus", "ended"), new("HandoffData", handoffData)],
            cancellationToken));
        var enqueue = twiml.Root?.Element("Enqueue");
        var attributes = enqueue?.Element("Task") is { } task ? JsonNode.Parse(task.Value) : null;
        call.Task = enqueue is null ? null : new AiVoiceTask((string?)enqueue.Attribute("workflowSid") ?? "", (string?)attributes?["reason"], (string?)attributes?["summary"]);
        call.State = enqueue is null ? "ended" : "handed to Flex";
    }

    /// <summary>Twilio hangs up the session's socket once it ended; a socket already gone is no failure of the call.</summary>
    private static async Task CloseAsync(ClientWebSocket socket)
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "session ended", limit.Token);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            // The server closed it first.
        }
    }

    private async Task<string> PostSignedAsync(string url, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(RequestSigner.Header, RequestSigner.Sign(session.Account.AuthToken, url, form));
        using var response = await clients.CreateClient(SandboxSetup.WebhookClientName).SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadAsStringAsync(cancellationToken)
            : throw new InvalidDataException($"{new Uri(url).AbsolutePath} answered HTTP {(int)response.StatusCode}");
    }

    private static async Task SendAsync(Call call, JsonObject message, CancellationToken cancellationToken)
    {
        await call.Sending.WaitAsync(cancellationToken);
        try
        {
            await call.Socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            call.Sending.Release();
        }
    }

    /// <summary>One simulated call: its socket, its lines so far, its state.</summary>
    private sealed class Call(string callSid, ClientWebSocket socket, string action)
    {
        private readonly List<AiLine> lines = [];

        public string CallSid { get; } = callSid;

        public ClientWebSocket Socket { get; } = socket;

        public string Action { get; } = action;

        public SemaphoreSlim Sending { get; } = new(1, 1);

        public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

        public string State { get; set; } = "with the AI";

        public AiVoiceTask? Task { get; set; }

        public string? Error { get; set; }

        public void Add(AiLine line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }

        /// <summary>A token of the AI's answer: appended to the answer under way, or the start of a new one.</summary>
        public void Speak(string token, bool continuing)
        {
            lock (lines)
            {
                if (continuing && lines.Count > 0 && lines[^1].Speaker == "ai")
                {
                    lines[^1] = lines[^1] with { Text = lines[^1].Text + token };
                }
                else if (token.Length > 0)
                {
                    lines.Add(new AiLine("ai", token));
                }
            }
        }

        public AiCallView View()
        {
            lock (lines)
            {
                return new AiCallView(CallSid, State, [.. lines], Task, Error);
            }
        }
    }
}
