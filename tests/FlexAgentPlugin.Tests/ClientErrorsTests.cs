using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Doors.AiResponder;
using FlexAgentPlugin.Doors.Handover;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Every door's client errors, whatever the request's <c>Accept</c> header allows: the error's own status (never a 500),
/// a problem body that says what to do (problem+json, or plain text), and nothing worse than a warning in the log.
/// </summary>
public sealed class ClientErrorsTests
{
    private const string PublicUrl = "https://plugin.example.com";
    private const string ApiToken = "gpt-token-0123456789abcdef";
    private const string AgentToken = "desk-token-0123456789abcdef";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";

    /// <summary>A well-formed JWT no key of this server signed.</summary>
    private const string ForeignJwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

    /// <summary>What browsers, event-stream readers and other clients send, and no header at all.</summary>
    private static readonly string?[] Accepts =
    [
        "text/html", "text/event-stream", "application/xml", "image/png", "*/*", null, "application/json",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    ];

    private static readonly Dictionary<string, string?> Keys = new()
    {
        ["API_KEYS"] = $"gpt={ApiToken}",
        ["VOICE_AGENT_KEYS"] = $"desk={AgentToken}",
        ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken,
        ["PUBLIC_BASE_URL"] = PublicUrl,
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
    };

    /// <summary>One client error at one door: the request (made anew for each Accept), its status and a phrase of its problem.</summary>
    private sealed record Door(int Status, string Says, Func<HttpRequestMessage> Request)
    {
        public Dictionary<string, string?> Settings { get; init; } = [];

        /// <summary>What brings the server to the state where the request is refused (run once, before the requests).</summary>
        public Func<PluginFactory, Task>? Before { get; init; }
    }

    private static readonly Dictionary<string, Door> Doors = new()
    {
        ["401 on /send without a key"] = new(401, "Send the API key", () => Send(key: null, """{"msg":"Hi"}""")),
        ["401 on /send with a wrong key"] = new(401, "Send the API key", () => Send("wrong-token-0123456789abcdef", """{"msg":"Hi"}""")),
        ["401 on /replies without a key"] = new(401, "Send the API key", () => Get("/replies/alice", key: null)),
        ["401 on /mcp without a token or a key"] = new(401, "Authorization: Bearer <key>", () => Mcp(key: null)),
        ["401 on /mcp with a token of another server"] = new(401, "not a valid sign-in token", () => Mcp(key: ForeignJwt)),
        ["401 on /send with a token of another server"] = new(401, "Sign in again", () => Send(ForeignJwt, """{"msg":"Hi"}""")),
        ["403 on /send with a voice agent's key"] = new(403, "VOICE_AGENT_KEYS", () => Send(AgentToken, """{"msg":"Hi"}""")),
        ["401 on the hand-over tool without credentials"] = new(401, "HANDOVER_TOKEN", () => Handover(token: null)),
        ["403 on the hand-over tool with a wrong token"] = new(403, "The hand-over token is wrong", () => Handover("wrong-token-0123456789abcdef")),
        ["400 on the hand-over tool without X-Session-Id"] = new(400, "X-Session-Id header is missing", () => Handover(PluginFactory.HandoverToken, session: null)),
        ["401 on starting assist without a key"] = new(401, "or send an agent key", () => Voice(HttpMethod.Post, "assist", key: null)),
        ["401 on stopping assist without a key"] = new(401, "or send an agent key", () => Voice(HttpMethod.Delete, "assist", key: null)),
        ["401 on a call's events without a key"] = new(401, "or send an agent key", () => Voice(HttpMethod.Get, "events", key: null)),
        ["401 on starting assist with a Flex token Twilio refuses"] = new(401, "sign in to Flex again", () => Voice(HttpMethod.Post, "assist", FlexTokens.Make("forged"))),
        ["403 on the voice-assist plugin's /stream with a Flex token Twilio refuses"] = new(403, "sign in to Flex again",
            () => Stream($$"""{"action":"start","callSid":"{{CallSid}}","Token":"{{FlexTokens.Make("forged")}}"}""")),
        ["403 on the voice-assist plugin's /stream without a token"] = new(403, "Send the agent's Flex token as Token", () => Stream($$"""{"action":"start","callSid":"{{CallSid}}"}""")),
        ["415 on the voice-assist plugin's /stream with text"] = new(415, "application/json", () => Stream("action=start", "text/plain")),
        ["404 on the voice-assist plugin's /token without SYNC_TOKEN_IDENTITY"] = new(404, "nothing at this path", () => Get("/token?identity=anyone-0123456789", key: null)),
        ["400 on a call's events for a malformed call SID"] = new(400, "callSid must be", () => Voice(HttpMethod.Get, "events", AgentToken, callSid: "CA-not-a-sid")),
        ["404 on stopping assist on a call without it"] = new(404, "No assist stream is running", () => Voice(HttpMethod.Delete, "assist", AgentToken)),
        ["400 on the media stream without a WebSocket"] = new(400, "WebSocket upgrade", () => Get("/voice/stream", key: null)),
        ["403 on an unsigned conversation event"] = new(403, "Twilio signed", () => Webhook(TwilioCallbacks.ConversationEventsPath, signature: null)),
        ["403 on an unsigned AI responder event"] = new(403, "Twilio signed", () => Webhook(AiResponderEndpoints.Path, signature: null)),
        ["403 on an unsigned incoming call"] = new(403, "Twilio signed", () => Webhook("/voice/incoming", signature: null)),
        ["403 on a conversation event with a forged signature"] = new(403, "Twilio signed", () => Webhook(TwilioCallbacks.ConversationEventsPath, signature: "forged")),
        ["415 on a signed webhook of another media type"] = new(415, "application/x-www-form-urlencoded",
            () => Webhook(TwilioCallbacks.ConversationEventsPath, signature: "forged", new StringContent("a=b", Encoding.UTF8, "text/plain"))),
        ["413 on a signed webhook over 64 KB"] = new(413, "at most 64 KB", () => Webhook(TwilioCallbacks.ConversationEventsPath, signature: "forged",
            new FormUrlEncodedContent([new("Body", new string('x', 70_000))]))),
        ["400 on /send with a malformed body"] = new(400, "msg", () => Send(ApiToken, "{}")),
        ["413 on /send with a body over 64 KB"] = new(413, "at most 64 KB", () => Send(ApiToken, $$"""{"msg":"{{new string('x', 70_000)}}"}""")),
        ["415 on /send with text"] = new(415, "Content-Type: application/json", () => Send(ApiToken, """{"msg":"Hi"}""", "text/plain")),
        ["415 on /send without a content type"] = new(415, "Content-Type: application/json", () => Send(ApiToken, """{"msg":"Hi"}""", contentType: null)),
        ["405 on /send with GET"] = new(405, "does not take GET", () => Get("/send/alice", ApiToken)),
        ["404 on a path that does not exist"] = new(404, "nothing at this path", () => Get("/nothing-here", ApiToken)),
        ["400 on /replies with a malformed wait"] = new(400, "waitSeconds", () => Get("/replies/alice?waitSeconds=soon", ApiToken)),
        ["404 on /replies for an unknown user"] = new(404, "send a message with sendMsg first", () => Get("/replies/nobody-0123456789", ApiToken)),
        ["422 on /send reusing an Idempotency-Key"] = new(422, "Idempotency-Key", () => Send(ApiToken, """{"msg":"Another"}""", idempotencyKey: "key-0001"))
        {
            Before = async factory =>
            {
                factory.Twilio.AutoReply = true;
                var first = await factory.Clock.RunUntilDoneAsync(factory.CreateClient().SendAsync(Send(ApiToken, """{"msg":"First"}""", idempotencyKey: "key-0001")));
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            },
        },
        ["429 on /replies past the per-caller limit"] = new(429, "Too many calls for this caller or address", () => Get("/replies/alice", ApiToken))
        {
            Settings = new() { ["RATE_LIMIT_PER_ADDRESS"] = "1" },
            Before = factory => factory.CreateClient().SendAsync(Get("/replies/alice", ApiToken)),
        },
        ["429 on /replies past the per-user limit"] = new(429, "Too many calls for this username", () => Get("/replies/alice", ApiToken))
        {
            Settings = new() { ["RATE_LIMIT_PER_USER"] = "1" },
            Before = factory => factory.CreateClient().SendAsync(Get("/replies/alice", ApiToken)),
        },
        ["403 on /mcp from a page of another origin"] = new(403, "MCP_ALLOWED_ORIGINS", () => Mcp(ApiToken, origin: "https://evil.example")),
        ["415 on /mcp without a content type"] = new(415, "Content-Type: application/json", () => Mcp(ApiToken, contentType: null)),
        ["415 on /mcp with text"] = new(415, "Content-Type: application/json", () => Mcp(ApiToken, contentType: "text/plain")),
    };

    public static TheoryData<string> DoorNames => [.. Doors.Keys];

    [Theory]
    [MemberData(nameof(DoorNames))]
    public async Task AClientErrorIsItsOwnProblemWhateverTheAcceptHeader(string name)
    {
        var door = Doors[name];
        using var factory = new PluginFactory(new Dictionary<string, string?>(Keys).Concat(door.Settings).ToDictionary());
        if (door.Before is not null)
        {
            await door.Before(factory);
        }

        await AssertAnsweredAsync(factory, factory.CreateClient, door);
    }

    /// <summary>The Media Streams socket refuses an upgrade it cannot trust (only a real socket upgrades, so Kestrel serves this one).</summary>
    [Fact]
    public async Task AMediaStreamUpgradeWithAForgedSignatureIsAProblemWhateverTheAcceptHeader()
    {
        using var server = PluginFactory.RealSandbox();
        var door = new Door(403, "signed Media Streams", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/voice/stream");
            request.Headers.Connection.Add("Upgrade");
            request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
            request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
            request.Headers.Add("Sec-WebSocket-Version", "13");
            request.Headers.Add(TwilioSignature.Header, "forged");
            return request;
        });

        await AssertAnsweredAsync(server, () => new HttpClient { BaseAddress = server.BaseAddress }, door);
    }

    /// <summary>The door's request with each Accept value: its status, its problem (the same whatever the Accept), nothing worse than a warning logged.</summary>
    private static async Task AssertAnsweredAsync(PluginFactory factory, Func<HttpClient> client, Door door)
    {
        var logged = factory.Logs.Lines.Count;
        var wrong = new List<string>();
        var kinds = new HashSet<string>();
        foreach (var accept in Accepts)
        {
            using var request = door.Request();
            if (accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }

            using var http = client();
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode != door.Status || Problem(response, body) is not { } problem || !problem.Text.Contains(door.Says, StringComparison.Ordinal))
            {
                wrong.Add($"Accept {accept ?? "(none)"}: {(int)response.StatusCode} {response.Content.Headers.ContentType} {body}");
            }
            else
            {
                kinds.Add(problem.Kind);
            }
        }

        var serious = factory.Logs.Lines.Skip(logged).Where(l => l.Level >= LogLevel.Error || l.Text.Contains("\n   at ", StringComparison.Ordinal)).ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Single(kinds);
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(l => $"{l.Level} {l.Category}: {l.Text}")));
    }

    /// <summary>
    /// The problem's text (title and detail) and kind (type and title) from problem+json whose status is the response's,
    /// or the text of a plain-text problem; null for anything else.
    /// </summary>
    private static (string Text, string Kind)? Problem(HttpResponseMessage response, string body)
    {
        switch (response.Content.Headers.ContentType?.MediaType)
        {
            case "application/problem+json":
                var problem = JsonDocument.Parse(body).RootElement;
                var title = problem.GetProperty("title").GetString();
                var type = problem.TryGetProperty("type", out var link) ? link.GetString() : "about:blank";
                return problem.GetProperty("status").GetInt32() == (int)response.StatusCode
                    ? ($"{title} {(problem.TryGetProperty("detail", out var detail) ? detail.GetString() : "")}", $"{type} {title}")
                    : null;
            case "text/plain":
                return (body, "text");
            default:
                return null;
        }
    }

    private static HttpRequestMessage Get(string path, string? key) => WithKey(new HttpRequestMessage(HttpMethod.Get, path), key);

    private static HttpRequestMessage Send(string? key, string json, string? contentType = "application/json", string? idempotencyKey = null)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        var request = WithKey(new HttpRequestMessage(HttpMethod.Post, "/send/alice") { Content = content }, key);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private static HttpRequestMessage Mcp(string? key, string? contentType = "application/json", string? origin = null)
    {
        var content = new StringContent(RawMcp.Initialize, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        var request = WithKey(new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = content }, key);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    private static HttpRequestMessage Handover(string? token, string? session = "conversations__IS00000000000000000000000000000000/CH00000000000000000000000000000000")
    {
        var request = WithKey(new HttpRequestMessage(HttpMethod.Post, HandoverEndpoints.Path), token);
        if (session is not null)
        {
            request.Headers.Add(HandoverInput.SessionHeader, session);
        }

        request.Headers.Add(HandoverInput.IdentityHeader, "user_id:42");
        return request;
    }

    private static HttpRequestMessage Voice(HttpMethod method, string action, string? key, string callSid = CallSid) =>
        WithKey(new HttpRequestMessage(method, $"/voice/calls/{callSid}/{action}"), key);

    private static HttpRequestMessage Stream(string body, string contentType = "application/json") =>
        new(HttpMethod.Post, "/stream") { Content = new StringContent(body, Encoding.UTF8, contentType) };

    private static HttpRequestMessage Webhook(string path, string? signature, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content ?? new FormUrlEncodedContent([new("CallSid", CallSid)]) };
        if (signature is not null)
        {
            request.Headers.Add(TwilioSignature.Header, signature);
        }

        return request;
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string? key)
    {
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
