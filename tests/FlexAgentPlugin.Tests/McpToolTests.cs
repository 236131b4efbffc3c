using System.Net;
using System.Text.Json;
using FlexAgentPlugin.Backends.Sqlite;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Doors.Mcp;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace FlexAgentPlugin.Tests;

/// <summary>The MCP tools, driven by the MCP SDK's own client: the exchange, progress, pending, exactly once, cancellation, errors.</summary>
public sealed class McpToolTests : IDisposable
{
    private const string User = "mcp-user-0123456789";

    /// <summary>Webhooks on, and sign-in off: these tests are about the tools, called without a key.</summary>
    private static readonly Dictionary<string, string?> Webhooks = new() { ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl, ["OAUTH"] = "off" };

    private readonly PluginFactory factory = new(Webhooks);

    public void Dispose() => factory.Dispose();

    private EmulatedTwilio Twilio => factory.Twilio;

    private static Dictionary<string, object?> Ask(string message, string? user = User) =>
        user is null ? new() { ["message"] = message } : new() { ["message"] = message, ["user"] = user };

    [Fact]
    public async Task TheServerListsBothToolsWithTheirInputAndOutputSchemas()
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var tools = (await client.ListToolsAsync()).ToDictionary(t => t.Name);

        Assert.Equal(["ask_human_agent", "get_agent_replies"], tools.Keys.Order());
        var ask = tools["ask_human_agent"].ProtocolTool;
        Assert.Equal(["message"], ask.InputSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("string", ask.InputSchema.GetProperty("properties").GetProperty("message").GetProperty("type").GetString());
        Assert.True(ask.InputSchema.GetProperty("properties").TryGetProperty("user", out _));
        var replies = tools["get_agent_replies"].ProtocolTool;
        var wait = replies.InputSchema.GetProperty("properties").GetProperty("wait_seconds");
        Assert.Equal("integer", wait.GetProperty("type").GetString());
        Assert.Equal(50, wait.GetProperty("maximum").GetInt32());
        foreach (var tool in new[] { ask, replies })
        {
            var output = tool.OutputSchema!.Value.GetProperty("properties");
            Assert.Equal(["replied", "closed", "pending"], output.GetProperty("status").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal("array", output.GetProperty("replies").GetProperty("type").GetString());
            Assert.True(output.TryGetProperty("conversation_id", out _));
            Assert.False(tool.Annotations!.DestructiveHint);
        }

        Assert.Equal(McpEndpoints.ServerName, client.ServerInfo?.Name);
        Assert.Contains("ask_human_agent", client.ServerInstructions, StringComparison.Ordinal);
    }

    /// <summary>
    /// Asking a person is not read-only, not idempotent (each call posts), destroys nothing and reaches outside (Flex);
    /// fetching replies hands each out once, so it is not read-only or idempotent either. Every hint is on the wire, as
    /// connector directories read them (a missing destructiveHint would read as true).
    /// </summary>
    [Fact]
    public async Task BothToolsCarryTheirTrueAnnotationsAsAClientReadsThem()
    {
        var http = factory.CreateClient();
        var session = await RawMcp.InitializeAsync(http);
        using var listed = await http.SendAsync(session.Request("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}"""));
        var body = await listed.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(body.StartsWith("event:", StringComparison.Ordinal) || body.StartsWith("data:", StringComparison.Ordinal)
            ? body.Split('\n').First(l => l.StartsWith("data:", StringComparison.Ordinal))["data:".Length..]
            : body);

        var annotations = json.RootElement.GetProperty("result").GetProperty("tools").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("annotations"));

        foreach (var (name, title) in new[] { ("ask_human_agent", "Ask a human agent"), ("get_agent_replies", "Get the human agent's replies") })
        {
            var hints = annotations[name];
            Assert.Equal(title, hints.GetProperty("title").GetString());
            Assert.False(hints.GetProperty("readOnlyHint").GetBoolean());
            Assert.False(hints.GetProperty("destructiveHint").GetBoolean());
            Assert.False(hints.GetProperty("idempotentHint").GetBoolean());
            Assert.True(hints.GetProperty("openWorldHint").GetBoolean());
        }
    }

    [Theory]
    [InlineData(McpConnection.SessionEra)]
    [InlineData(McpConnection.StatelessEra)]
    public async Task AskHumanAgentPostsTheMessageAndReturnsTheAgentsAnswerInEitherProtocolEra(string protocolVersion)
    {
        Twilio.AutoReply = true;
        await using var client = await McpConnection.ConnectAsync(factory, protocolVersion: protocolVersion);

        var result = await client.CallToolAsync("ask_human_agent", Ask("Where is my order?"));

        Assert.Equal(protocolVersion, client.NegotiatedProtocolVersion);
        Assert.Equal(protocolVersion == McpConnection.SessionEra, client.SessionId is not null);
        Assert.NotEqual(true, result.IsError);
        var conversation = Twilio.Conversations.Single();
        Assert.Equal("replied", result.Structured("status"));
        Assert.Equal([EmulatedTwilio.AutoReplyTo("Where is my order?")], result.Replies());
        Assert.Equal(conversation.Sid, result.Structured("conversation_id"));
        Assert.Equal(User, result.Structured("user"));
        Assert.Contains(EmulatedTwilio.AutoReplyTo("Where is my order?"), result.Text(), StringComparison.Ordinal);
        var posted = Twilio.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/Messages", StringComparison.Ordinal));
        Assert.Equal(User, posted.Form1("Author"));
        Assert.Equal("Where is my order?", posted.Form1("Body"));
        Assert.Equal("mcp", JsonDocument.Parse(posted.Form1("Attributes")!).RootElement.GetProperty("source").GetString());
        var created = Twilio.Requests.First(r => r.Method == "POST" && r.Path.EndsWith("/Conversations", StringComparison.Ordinal));
        Assert.Equal($"MCP: {User}", created.Form1("FriendlyName"));
    }

    [Fact]
    public async Task WhileTheAgentIsSilentTheClientHearsProgressEveryTenSeconds()
    {
        await using var client = await McpConnection.ConnectAsync(factory);
        var heard = new List<ProgressNotificationValue>();
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SynchronousProgress(value =>
        {
            lock (heard)
            {
                heard.Add(value);
                next.TrySetResult();
            }
        });
        var start = factory.Clock.GetUtcNow();

        var call = client.CallToolAsync("ask_human_agent", Ask("Anyone there?"), progress).AsTask();
        for (var tick = 1; tick <= 2; tick++)
        {
            await factory.Clock.AdvanceToAsync(start + HumanAgentTools.ProgressInterval * tick);
            await next.Task.WaitAsync(TimeSpan.FromSeconds(10));
            lock (heard)
            {
                next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        Assert.False(call.IsCompleted);
        lock (heard)
        {
            Assert.Equal([10f, 20f], heard.Select(h => h.Progress));
            Assert.Equal("Waiting for a human agent in Flex to answer (20 s so far).", heard[^1].Message);
        }

        Twilio.AgentSays(Twilio.Conversations.Single().Sid, "Yes, I'm here.");
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["Yes, I'm here."], result.Replies());
    }

    [Fact]
    public async Task AfterTheTimeoutTheToolAnswersPendingAndGetAgentRepliesFetchesTheAnswer()
    {
        await using var client = await McpConnection.ConnectAsync(factory);
        var start = factory.Clock.GetUtcNow();

        var pending = await factory.Clock.RunUntilDoneAsync(client.CallToolAsync("ask_human_agent", Ask("Hello?")).AsTask());

        Assert.Equal(TimeSpan.FromSeconds(50), factory.Clock.GetUtcNow() - start);
        Assert.NotEqual(true, pending.IsError);
        Assert.Equal("pending", pending.Structured("status"));
        Assert.Empty(pending.Replies());
        Assert.Contains("call get_agent_replies", pending.Text(), StringComparison.Ordinal);
        Assert.Contains("Do not send it again", pending.Text(), StringComparison.Ordinal);

        var waiting = client.CallToolAsync("get_agent_replies", new Dictionary<string, object?> { ["user"] = User, ["wait_seconds"] = 30 }).AsTask();
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Twilio.Conversations.Single().Sid, "Sorry for the wait.");
        var replied = await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("replied", replied.Structured("status"));
        Assert.Equal(["Sorry for the wait."], replied.Replies());
        Assert.Equal(1, Twilio.Count("POST", "/v1/Conversations/[^/]+/Messages"));
    }

    [Fact]
    public async Task AReplyIsHandedOutOnceWhetherMcpOrRepliesAsksFirst()
    {
        var http = factory.CreateClient();
        await using var client = await McpConnection.ConnectAsync(factory);
        await factory.Clock.RunUntilDoneAsync(client.CallToolAsync("ask_human_agent", Ask("First question")).AsTask());
        var sid = Twilio.Conversations.Single().Sid;

        Twilio.AgentSays(sid, "Answer one.");
        var viaMcp = await client.CallToolAsync("get_agent_replies", new Dictionary<string, object?> { ["user"] = User });
        var thenReplies = await http.GetAsync($"/replies/{User}");

        Twilio.AgentSays(sid, "Answer two.");
        var viaReplies = await http.GetAsync($"/replies/{User}");
        var thenMcp = await client.CallToolAsync("get_agent_replies", new Dictionary<string, object?> { ["user"] = User });

        Assert.Equal(["Answer one."], viaMcp.Replies());
        await JsonAssert.BodyEqualAsync("""{"status": "pending", "replies": [], "message": "The agent has the message but has not answered yet. Call getReplies with the same username to fetch the answer."}""", thenReplies);
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Answer two."]}""", viaReplies);
        Assert.Equal("pending", thenMcp.Structured("status"));
        Assert.Empty(thenMcp.Replies());
    }

    [Fact]
    public async Task AUserWhoAsksThroughMcpAndSendHasOneConversation()
    {
        Twilio.AutoReply = true;
        await using var client = await McpConnection.ConnectAsync(factory);

        await client.CallToolAsync("ask_human_agent", Ask("Through MCP"));
        var send = await PluginFactory.SendAsync(factory.CreateClient(), User, "Through /send");

        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        var conversation = Assert.Single(Twilio.Conversations);
        Assert.Equal(["Through MCP", "Through /send"], conversation.Messages.Where(m => m.Author == User).Select(m => m.Body));
    }

    [Fact]
    public async Task CancellingTheCallStopsTheWaitAndEveryFurtherTwilioCall()
    {
        using var polled = new PluginFactory();
        await using var client = await McpConnection.ConnectAsync(polled);
        using var cancel = new CancellationTokenSource();

        var call = client.CallToolAsync("ask_human_agent", Ask("Never mind"), cancellationToken: cancel.Token).AsTask();
        var replyWait = await ReplyWaitAsync(polled);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await NoFurtherTwilioCallsAsync(polled, replyWait);
    }

    [Fact]
    public async Task ACancelledNotificationStopsTheWaitWhileTheConnectionStaysOpen()
    {
        using var polled = new PluginFactory();
        var http = polled.CreateClient();
        var session = await RawMcp.InitializeAsync(http);

        // The call's own connection stays open: only the notification ends the wait.
        _ = http.SendAsync(session.Request("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ask_human_agent","arguments":{"message":"Hello","user":"canceller-0123456789"}}}"""),
            HttpCompletionOption.ResponseHeadersRead);
        var replyWait = await ReplyWaitAsync(polled);
        using var cancelled = await http.SendAsync(session.Request("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"The user moved on."}}"""));

        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        await NoFurtherTwilioCallsAsync(polled, replyWait);
    }

    [Fact]
    public async Task ADroppedConnectionStopsTheWaitAndEveryFurtherTwilioCall()
    {
        using var polled = new PluginFactory();
        var http = polled.CreateClient();
        var session = await RawMcp.InitializeAsync(http);
        using var drop = new CancellationTokenSource();

        var call = http.SendAsync(session.Request("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ask_human_agent","arguments":{"message":"Hello","user":"dropper-0123456789"}}}"""),
            HttpCompletionOption.ResponseHeadersRead, drop.Token);
        var replyWait = await ReplyWaitAsync(polled);
        using (var response = await call)
        {
            await drop.CancelAsync();
        }

        await NoFurtherTwilioCallsAsync(polled, replyWait);
    }

    /// <summary>The client goes away just as its replies are handed out: they are handed out again to the next call.</summary>
    [Fact]
    public async Task RepliesHandedOutAsTheClientGoesAwayAreHandedOutAgain()
    {
        using var hangUp = new CancellationTokenSource();
        HangUpAfterHandingOut? store = null;
        using var hanging = new PluginFactory(Webhooks)
        {
            TestServices = services =>
            {
                services.AddHttpContextAccessor();
                services.AddSingleton<IConversationStore>(provider => store = new HangUpAfterHandingOut(
                    provider.GetRequiredService<SqliteStore>(), provider.GetRequiredService<IHttpContextAccessor>(), hangUp, "/mcp"));
            },
        };
        var http = hanging.CreateClient();
        await hanging.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(http, User, "Hi"));
        hanging.Twilio.AgentSays(hanging.Twilio.Conversations.Single().Sid, "Here is your answer.");
        var session = await RawMcp.InitializeAsync(http);

        try
        {
            using var response = await http.SendAsync(
                session.Request($$$$"""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_agent_replies","arguments":{"user":"{{{{User}}}}"}}}"""),
                HttpCompletionOption.ResponseHeadersRead, hangUp.Token);
            await Task.Delay(Timeout.Infinite, hangUp.Token);
        }
        catch (OperationCanceledException)
        {
            // The client hung up (before the response's headers, or after them, dropping the stream).
        }

        await store!.GivenBack.WaitAsync(TimeSpan.FromSeconds(10));
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Here is your answer."]}""", await http.GetAsync($"/replies/{User}"));
    }

    [Theory]
    [InlineData("""{"user":"mcp-user-0123456789"}""", "ask_human_agent needs the argument 'message'.")]
    [InlineData("""{"message":"   ","user":"mcp-user-0123456789"}""", "message must not be empty: it has no visible character.")]
    [InlineData("""{"message":42}""", "message must be a string.")]
    [InlineData("""{"message":"hi","usr":"bob"}""", "ask_human_agent has no argument 'usr'; it takes message, user.")]
    [InlineData("""{"message":"hi","user":"not a valid name!"}""", "user must be 1 to 128 letters, digits or - _ . @ : characters, for example a random 16-character string.")]
    public async Task ArgumentsAToolCannotUseComeBackAsAToolErrorSayingWhatToChange(string arguments, string error)
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var result = await client.CallToolAsync(new CallToolRequestParams
        {
            Name = "ask_human_agent",
            Arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments),
        });

        Assert.True(result.IsError);
        Assert.Equal(error, result.Text());
        Assert.Empty(Twilio.Requests);
        Assert.Equal("replied", (await CallAfterErrorAsync(client)).Structured("status"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(51)]
    public async Task AWaitOutsideZeroToFiftySecondsIsAToolError(int seconds)
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var result = await client.CallToolAsync("get_agent_replies", new Dictionary<string, object?> { ["user"] = User, ["wait_seconds"] = seconds });

        Assert.True(result.IsError);
        Assert.Equal($"wait_seconds must be a whole number from 0 to 50; it was {seconds}.", result.Text());
    }

    /// <summary>The SDK binds the arguments strictly: a misspelt name or a number sent as text is refused, naming the argument.</summary>
    [Theory]
    [InlineData("""{"user":"mcp-user-0123456789","wait":5}""", "get_agent_replies has no argument 'wait'; it takes user, wait_seconds.")]
    [InlineData("""{"user":"mcp-user-0123456789","wait_seconds":"5"}""", "wait_seconds must be a whole number.")]
    [InlineData("""{"user":"mcp-user-0123456789","wait_seconds":2.5}""", "wait_seconds must be a whole number.")]
    [InlineData("""{"user":"mcp-user-0123456789","wait_seconds":null}""", "wait_seconds must be a whole number.")]
    public async Task ArgumentsGetAgentRepliesCannotBindAreAToolErrorNamingTheArgument(string arguments, string error)
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var result = await client.CallToolAsync(new CallToolRequestParams
        {
            Name = "get_agent_replies",
            Arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments),
        });

        Assert.True(result.IsError);
        Assert.Equal(error, result.Text());
        Assert.Empty(Twilio.Requests);
    }

    [Fact]
    public async Task RepliesForAUserWhoNeverAskedAreAToolErrorThatSaysWhatToDo()
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var result = await client.CallToolAsync("get_agent_replies", new Dictionary<string, object?> { ["user"] = "stranger-0123456789" });

        Assert.True(result.IsError);
        Assert.Contains("no conversation for this username yet", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAUserOrAKeyTheToolAsksForAUser()
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var result = await client.CallToolAsync("ask_human_agent", Ask("Hi", user: null));

        Assert.True(result.IsError);
        Assert.StartsWith("Pass user: a stable random 16-character string", result.Text(), StringComparison.Ordinal);
        Assert.Empty(Twilio.Requests);
    }

    [Fact]
    public async Task TwilioFailingBeforeTheMessageIsPostedIsAToolErrorAndTheSessionGoesOn()
    {
        Twilio.Intercept = request => Task.FromResult<HttpResponseMessage?>(request.Method == "POST" && request.Path.EndsWith("/Conversations", StringComparison.Ordinal)
            ? EmulatedTwilio.Error(HttpStatusCode.ServiceUnavailable, 20503, "Service unavailable")
            : null);
        await using var client = await McpConnection.ConnectAsync(factory);

        var failed = await factory.Clock.RunUntilDoneAsync(client.CallToolAsync("ask_human_agent", Ask("Hello")).AsTask());

        Assert.True(failed.IsError);
        Assert.Equal("Twilio could not create conversation right now, even after retrying. Nothing was lost; try again in a few seconds.", failed.Text());
        Twilio.Intercept = null;
        Assert.Equal("replied", (await CallAfterErrorAsync(client)).Structured("status"));
    }

    /// <summary>The server's wait for the agent (without webhooks: its first poll, 15 s from now), once it waits.</summary>
    private static Task<ManualClock.ManualTimer> ReplyWaitAsync(PluginFactory polled) =>
        polled.Clock.WaitForTimerAsync(t => t.DueAt == polled.Clock.GetUtcNow() + TimeSpan.FromSeconds(15));

    /// <summary>The wait is over (its timer dropped) and, however much time passes, the server asks Twilio nothing more.</summary>
    private static async Task NoFurtherTwilioCallsAsync(PluginFactory polled, ManualClock.ManualTimer replyWait)
    {
        await replyWait.Disposed.WaitAsync(TimeSpan.FromSeconds(10));
        var before = polled.Twilio.Requests.Count;
        polled.Clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(100);
        Assert.Equal(before, polled.Twilio.Requests.Count);
    }

    /// <summary>The session survived the error: the next call works.</summary>
    private async Task<CallToolResult> CallAfterErrorAsync(McpClient client)
    {
        Twilio.AutoReply = true;
        return await client.CallToolAsync("ask_human_agent", Ask("After the error"));
    }

    /// <summary>Reports on the caller's thread, so no report arrives after the test looked.</summary>
    private sealed class SynchronousProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
