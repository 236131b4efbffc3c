using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>The built-in sandbox: when it is on, the relay's ordinary Twilio client talks to its emulator.</summary>
public sealed class SandboxTests : IDisposable
{
    private readonly PluginFactory factory = PluginFactory.Sandbox();
    private readonly HttpClient client;

    public SandboxTests() => client = factory.CreateClient();

    [Fact]
    public async Task NoTwilioAccountStartsTheSandboxAndSaysWhereTheConsoleIs()
    {
        var page = await client.GetAsync("/sandbox");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Agent console", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(factory.Logs.Lines, l => l.Text.Contains("Sandbox mode", StringComparison.Ordinal)
            && l.Text.Contains("http://localhost:5002/sandbox", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/sandbox")]
    [InlineData("/sandbox/console.js")]
    [InlineData("/sandbox/api/conversations")]
    [InlineData("/sandbox/twilio/v1/Conversations/CH00000000000000000000000000000000")]
    public async Task WithARealAccountNothingOfTheSandboxIsReachable(string path)
    {
        using var real = new PluginFactory();

        var response = await real.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(real.Logs.Lines, l => l.Text.Contains("Sandbox mode", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SandboxTrueUsesTheSandboxEvenWithAnAccountConfigured()
    {
        using var forced = PluginFactory.Sandbox(new Dictionary<string, string?>
        {
            ["SANDBOX"] = "true",
            ["ACCOUNT_SID"] = PluginFactory.AccountSid,
            ["AUTH_TOKEN"] = PluginFactory.AuthToken,
            ["CONV_FLOW"] = PluginFactory.FlowSid,
            ["SANDBOX_AUTO_REPLY_SECONDS"] = "1",
        });

        var response = await forced.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(forced.CreateClient(), "alice", "Hi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("auto-reply", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleReplyIsWhatSendReturns()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Where is my order?");
        await factory.Clock.WaitForArmedTimerAsync();

        var queue = JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray();
        var item = Assert.Single(queue)!;
        Assert.Equal("alice", (string?)item["customer"]);
        Assert.True((bool)item["unanswered"]!);
        var sid = (string)item["sid"]!;
        var conversation = JsonNode.Parse(await client.GetStringAsync($"/sandbox/api/conversations/{sid}"))!;
        Assert.Equal("Where is my order?", (string?)conversation["messages"]![0]!["body"]);

        var reply = await client.PostAsJsonAsync($"/sandbox/api/conversations/{sid}/messages", new { body = "It ships today." });
        Assert.Equal(HttpStatusCode.Created, reply.StatusCode);

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["It ships today."]}""", await factory.Clock.RunUntilDoneAsync(send));
    }

    [Fact]
    public async Task AnMcpUsersConversationIsMarkedInTheConsoleAndTheAgentsAnswerReachesTheClient()
    {
        // Without sign-in (OAUTH=off), so the same username reaches the conversation through MCP and /send.
        using var open = PluginFactory.Sandbox(new Dictionary<string, string?> { ["OAUTH"] = "off" });
        var http = open.CreateClient();
        await using var mcp = await McpConnection.ConnectAsync(open);
        var ask = mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Can a person help?", ["user"] = "mcp-0123456789abcd" }).AsTask();
        await open.Clock.WaitForArmedTimerAsync();

        var item = Assert.Single(JsonNode.Parse(await http.GetStringAsync("/sandbox/api/conversations"))!.AsArray())!;
        Assert.Equal("mcp", (string?)item["source"]);
        var sid = (string)item["sid"]!;
        var conversation = JsonNode.Parse(await http.GetStringAsync($"/sandbox/api/conversations/{sid}"))!;
        Assert.Equal("mcp", (string?)conversation["source"]);
        Assert.Equal("mcp", (string?)conversation["messages"]![0]!["source"]);
        await http.PostAsJsonAsync($"/sandbox/api/conversations/{sid}/messages", new { body = "Yes, I can." });

        var result = await open.Clock.RunUntilDoneAsync(ask);
        Assert.Equal(["Yes, I can."], result.Replies());

        var send = PluginFactory.SendAsync(http, "mcp-0123456789abcd", "And via the GPT Action?");
        await open.Clock.WaitForArmedTimerAsync();
        var messages = JsonNode.Parse(await http.GetStringAsync($"/sandbox/api/conversations/{sid}"))!["messages"]!.AsArray();
        Assert.Equal("ai-plugin", (string?)messages[^1]!["source"]);
        await http.PostAsJsonAsync($"/sandbox/api/conversations/{sid}/messages", new { body = "Both reach me." });
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Both reach me."]}""", await open.Clock.RunUntilDoneAsync(send));
    }

    [Fact]
    public async Task SandboxSignsItsWebhooksSoTheConsoleReplyArrivesWithoutAPoll()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Where is my order?");
        await factory.Clock.WaitForArmedTimerAsync();
        var startedAt = factory.Clock.GetUtcNow();
        var sid = (string)JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))![0]!["sid"]!;

        await client.PostAsJsonAsync($"/sandbox/api/conversations/{sid}/messages", new { body = "On its way." });

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["On its way."]}""", await send.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(startedAt, factory.Clock.GetUtcNow());
    }

    [Fact]
    public async Task ClosingInTheConsoleEndsTheWaitWithClosed()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Hello?");
        await factory.Clock.WaitForArmedTimerAsync();
        var sid = (string)JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))![0]!["sid"]!;

        await client.PostAsync($"/sandbox/api/conversations/{sid}/close", null);

        await JsonAssert.BodyEqualAsync("""{"status": "closed", "replies": []}""", await factory.Clock.RunUntilDoneAsync(send));
    }

    [Fact]
    public async Task EmptyConsoleReplyIsRefused()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Hello?");
        await factory.Clock.WaitForArmedTimerAsync();
        var sid = (string)JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))![0]!["sid"]!;

        var reply = await client.PostAsJsonAsync($"/sandbox/api/conversations/{sid}/messages", new { body = "  " });

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.False(send.IsCompleted);
    }

    [Fact]
    public async Task SimulatedAgentAnswersAfterTheConfiguredDelay()
    {
        using var auto = PluginFactory.Sandbox(new Dictionary<string, string?> { ["SANDBOX_AUTO_REPLY_SECONDS"] = "3" });
        var send = PluginFactory.SendAsync(auto.CreateClient(), "alice", "Anyone?");

        var response = await auto.Clock.RunUntilDoneAsync(send);

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["(auto-reply) Thanks, I received: Anyone?"]}""", response);
        Assert.True(auto.Clock.GetUtcNow() - new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero) >= TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task RestartedSandboxLeadsTheRelayToANewConversation()
    {
        var database = Path.Combine(Path.GetTempPath(), "flexagent-tests", Guid.NewGuid().ToString("N"), "convs.db");
        var settings = new Dictionary<string, string?> { ["DATABASE_PATH"] = database, ["SANDBOX_AUTO_REPLY_SECONDS"] = "1" };
        string firstConversation;
        using (var before = PluginFactory.Sandbox(settings))
        {
            await before.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(before.CreateClient(), "alice", "Hi"));
            firstConversation = Assert.Single(before.StoredRows()).ConversationSid;
        }

        using var after = PluginFactory.Sandbox(settings);
        var response = await after.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(after.CreateClient(), "alice", "Hi again"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(firstConversation, Assert.Single(after.StoredRows()).ConversationSid);
    }

    [Fact]
    public async Task EmulatorChecksBasicAuthLikeTwilio()
    {
        var response = await client.GetAsync("/sandbox/twilio/v1/Conversations/CH00000000000000000000000000000000");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await JsonAssert.BodyEqualAsync(
            """{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}""", response);
    }

    [Fact]
    public async Task EmulatorAnswersUnknownConversationsWithTwilios404()
    {
        var response = await factory.CreateSandboxEmulatorClient().GetAsync("/sandbox/twilio/v1/Conversations/CH00000000000000000000000000000000");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(20404, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]!);
    }

    [Fact]
    public async Task OnlyMessagesWithTheWebhookHeaderRouteTheConversationToTheConsole()
    {
        var emulator = factory.CreateSandboxEmulatorClient();
        var sid = await CreateRoutableConversationAsync(emulator);

        await emulator.PostAsync($"/sandbox/twilio/v1/Conversations/{sid}/Messages", Form(("Author", "bob"), ("Body", "no header")));
        Assert.Empty(JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray());

        using var withHeader = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/twilio/v1/Conversations/{sid}/Messages")
        {
            Content = Form(("Author", "bob"), ("Body", "with header")),
        };
        withHeader.Headers.Add("X-Twilio-Webhook-Enabled", "true");
        await emulator.SendAsync(withHeader);

        Assert.Single(JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray());
    }

    [Fact]
    public async Task EmulatorPagesMessagesWithNextPageUrl()
    {
        var emulator = factory.CreateSandboxEmulatorClient();
        var sid = await CreateRoutableConversationAsync(emulator);
        for (var i = 0; i < 15; i++)
        {
            await emulator.PostAsync($"/sandbox/twilio/v1/Conversations/{sid}/Messages", Form(("Author", "bob"), ("Body", $"m{i}")));
        }

        var first = JsonNode.Parse(await emulator.GetStringAsync($"/sandbox/twilio/v1/Conversations/{sid}/Messages?Order=desc&PageSize=10"))!;
        var next = new Uri((string)first["meta"]!["next_page_url"]!);
        var second = JsonNode.Parse(await emulator.GetStringAsync(next.PathAndQuery))!;

        Assert.Equal(Enumerable.Range(5, 10).Reverse(), first["messages"]!.AsArray().Select(m => (int)m!["index"]!));
        Assert.Equal(Enumerable.Range(0, 5).Reverse(), second["messages"]!.AsArray().Select(m => (int)m!["index"]!));
        Assert.Null(second["meta"]!["next_page_url"]);
    }

    [Fact]
    public async Task ConsoleEventStreamAnnouncesChanges()
    {
        using var stream = await client.GetAsync("/sandbox/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        Assert.Equal("event: changed", await reader.ReadLineAsync());
        var initial = await reader.ReadLineAsync();
        await reader.ReadLineAsync();

        _ = PluginFactory.SendAsync(client, "alice", "Hi");

        Assert.Equal("event: changed", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEqual(initial, await reader.ReadLineAsync());
    }

    public void Dispose() => factory.Dispose();

    private static async Task<string> CreateRoutableConversationAsync(HttpClient emulator)
    {
        var created = await emulator.PostAsync("/sandbox/twilio/v1/Conversations", Form(("FriendlyName", "test")));
        var sid = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["sid"]!;
        await emulator.PostAsync($"/sandbox/twilio/v1/Conversations/{sid}/Webhooks",
            Form(("Target", "studio"), ("Configuration.FlowSid", SandboxAccount.StudioFlowSid), ("Configuration.Filters", "onMessageAdded")));
        return sid;
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));
}
