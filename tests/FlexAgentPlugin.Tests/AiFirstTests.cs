using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>RESPONDER=ai-first for /send users: the model answers first, in the user's Twilio conversation, and hands off to Flex.</summary>
public sealed class AiFirstTests : IDisposable
{
    private const string PublicUrl = "https://plugin.example.com";

    private static readonly Dictionary<string, string?> Interactions = new()
    {
        ["CONV_FLOW"] = "",
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
    };

    private readonly string knowledgeFolder = Path.Combine(Path.GetTempPath(), "flexagent-knowledge", Guid.NewGuid().ToString("N"));
    private PluginFactory? factory;
    private HttpClient? client;

    private PluginFactory Factory => factory!;

    private FakeOpenAi OpenAi => Factory.OpenAi;

    private EmulatedTwilio Twilio => Factory.Twilio;

    [Fact]
    public async Task TheModelIsAskedWithTheInstructionsTheKnowledgeTheConversationAndTheHandoffTool()
    {
        Directory.CreateDirectory(knowledgeFolder);
        await File.WriteAllTextAsync(Path.Combine(knowledgeFolder, "hours.md"), "# Hours\nThe owl shop opens at 9.");
        Start(new() { ["AI_INSTRUCTIONS"] = "You answer for the owl shop.", ["AI_KNOWLEDGE_PATH"] = knowledgeFolder });
        OpenAi.Says("We open at 9.");

        var body = await SendAsync("alice", "When do you open?");

        Assert.Equal("replied", (string?)body["status"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["We open at 9."]"""), body["replies"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"text":"We open at 9.","source":"ai"}]"""), body["messages"]));
        var request = Assert.Single(OpenAi.Requests);
        Assert.Equal("chat", request.Api);
        Assert.Equal(FakeOpenAi.Model, (string?)request.Body["model"]);
        Assert.StartsWith("You answer for the owl shop.", request.Instructions, StringComparison.Ordinal);
        Assert.Contains("The owl shop opens at 9.", request.Instructions, StringComparison.Ordinal);
        Assert.Equal([("user", "When do you open?")], request.Conversation);
        var tool = Assert.Single(request.Body["tools"]!.AsArray())!;
        Assert.Equal("function", (string?)tool["type"]);
        Assert.Equal("handoff_to_human", (string?)tool["function"]!["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["reason","summary"]"""), tool["function"]!["parameters"]!["required"]));
    }

    [Fact]
    public async Task TheResponsesApiGetsTheTurnAsInstructionsInputAndFunctionTools()
    {
        Start(new() { ["AI_API"] = "responses", ["AI_INSTRUCTIONS"] = "You answer for the owl shop." });
        OpenAi.Says("We open at 9.");

        var body = await SendAsync("alice", "When do you open?");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"text":"We open at 9.","source":"ai"}]"""), body["messages"]));
        var request = Assert.Single(OpenAi.Requests);
        Assert.Equal("responses", request.Api);
        Assert.Equal(FakeOpenAi.Model, (string?)request.Body["model"]);
        Assert.StartsWith("You answer for the owl shop.", request.Instructions, StringComparison.Ordinal);
        Assert.Equal([("user", "When do you open?")], request.Conversation);
        Assert.Equal(["handoff_to_human"], request.ToolNames);
    }

    [Fact]
    public async Task EveryTurnIsInTheUsersTwilioConversationWithTheAiAsItsOwnMarkedAuthor()
    {
        Start();
        OpenAi.Says("We open at 9.").Says("Yes, on Sundays too.");

        await SendAsync("alice", "When do you open?");
        await SendAsync("alice", "On Sundays too?");

        var messages = Twilio.Conversations.Single().Messages;
        Assert.Equal(
            [("alice", "When do you open?", "ai-plugin"), ("ai-assistant", "We open at 9.", "ai"), ("alice", "On Sundays too?", "ai-plugin"), ("ai-assistant", "Yes, on Sundays too.", "ai")],
            messages.Select(m => (m.Author, m.Body, (string?)JsonNode.Parse(m.Attributes)!["source"])));
        Assert.Equal([("user", "When do you open?"), ("assistant", "We open at 9."), ("user", "On Sundays too?")], OpenAi.Requests[1].Conversation);
    }

    [Fact]
    public async Task AToolCallHandsOffWithAnInteractionWhoseTaskCarriesTheSummaryAndReason()
    {
        Start(Interactions);
        Twilio.AutoReply = true;
        OpenAi.HandsOff("refund request", "Alice wants a refund for order 42.");

        var body = await SendAsync("alice", "I want my money back for order 42");

        Assert.Equal("replied", (string?)body["status"]);
        Assert.Equal(
            [(AiTurns.HandoffNotice, "ai"), (EmulatedTwilio.AutoReplyTo("I want my money back for order 42"), "agent")],
            body["messages"]!.AsArray().Select(m => ((string)m!["text"]!, (string)m["source"]!)));
        var interaction = Assert.Single(Twilio.Interactions);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"from":"alice","customerName":"alice","source":"ai-plugin","reason":"refund request","summary":"Alice wants a refund for order 42."}"""),
            interaction.Routing["properties"]!["attributes"]));
        var notice = Twilio.Conversations.Single().Messages.Single(m => m.Body == AiTurns.HandoffNotice);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"reason":"refund request","summary":"Alice wants a refund for order 42."}"""),
            JsonNode.Parse(notice.Attributes)!["handoff"]));
    }

    [Fact]
    public async Task WithNobodyThereTheAiSaysSoItselfAndTheCustomerHearsItAtOnce()
    {
        Start(Interactions);
        Twilio.Behavior.AgentsAway = true;
        OpenAi.HandsOff("refund request", "Alice wants a refund for order 42.");

        // No clock move: the notice is handed out without waiting for an agent.
        var body = await SendAsync("alice", "I want my money back for order 42").WaitAsync(TimeSpan.FromSeconds(10));

        var said = $"{AiTurns.HandoffNotice} No agent is available right now; one will answer as soon as an agent is back. {AiTurns.AwayNotice}";
        Assert.Equal([said], body["replies"]!.AsArray().Select(r => (string?)r));
        Assert.Contains(Twilio.Conversations.Single().Messages, m => m.Body == said);
        Assert.Single(Twilio.Interactions);
    }

    [Fact]
    public async Task TheAiHandsASignedInPersonToFlexAsTheirVerifiedPhone()
    {
        Start(new Dictionary<string, string?>(Interactions) { ["PUBLIC_BASE_URL"] = SignInFlow.LocalBase });
        Twilio.AutoReply = true;
        OpenAi.HandsOff("refund request", "Wants a refund.");
        using var flow = new SignInFlow(Factory);
        var (_, tokens) = await flow.SignInAsync("+15551230001");
        await using var mcp = await McpConnection.ConnectAsync(flow.McpHttp(tokens.AccessToken));

        await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "I want my money back" });

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"from":"+15551230001","customerName":"+15551230001","customerAddress":"+15551230001","verified":"phone","source":"mcp",
                 "reason":"refund request","summary":"Wants a refund."}
                """),
            Assert.Single(Twilio.Interactions).Routing["properties"]!["attributes"]));
    }

    [Fact]
    public async Task TheMarkerPhraseHandsOffThroughStudioAndNeverReachesTheUser()
    {
        Start();
        Twilio.AutoReply = true;
        OpenAi.Says("[HANDOFF] Let me find a colleague for you.");

        var body = await SendAsync("alice", "Something complicated");

        Assert.Equal("Let me find a colleague for you.", (string?)body["replies"]![0]);
        Assert.DoesNotContain(Twilio.Conversations.Single().Messages, m => m.Body!.Contains("[HANDOFF]", StringComparison.Ordinal));
        var posts = Twilio.Requests.Where(r => r.Method == "POST").Select(r => (r.Path, r.Form1("Target"), r.Form1("Author"))).ToList();
        Assert.True(posts.FindIndex(p => p.Item3 == "alice") < posts.FindIndex(p => p.Item2 == "studio"),
            "The Studio webhook is added at the hand-off, not when the conversation is set up.");
        Assert.True(posts.FindIndex(p => p.Item2 == "studio") < posts.FindIndex(p => p.Item3 == "ai-assistant"),
            "The Studio webhook is added before the notice, so the notice starts the flow.");
        Assert.Empty(Twilio.Interactions);
    }

    [Fact]
    public async Task AModelFailureHandsTheUserToAPersonAsAssistantUnavailable()
    {
        Start(Interactions);
        Twilio.AutoReply = true;
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Fails(HttpStatusCode.InternalServerError)))
            .Script(_ => Task.FromResult(ModelAnswer.Fails(HttpStatusCode.InternalServerError)));

        var body = await SendAsync("alice", "Where is my order?");

        Assert.Equal("replied", (string?)body["status"]);
        Assert.Equal("assistant unavailable", (string?)Assert.Single(Twilio.Interactions).Routing["properties"]!["attributes"]!["reason"]);
        Assert.Contains(Twilio.Conversations.Single().Messages, m => m.Body == "Where is my order?");
        Assert.Equal(EmulatedTwilio.AutoReplyTo("Where is my order?"), (string?)body["replies"]![1]);
    }

    [Fact]
    public async Task AModelThatDoesNotAnswerWithinTheTimeoutHandsTheUserToAPerson()
    {
        Start(new(Interactions) { ["AI_TIMEOUT_SECONDS"] = "7" });
        Twilio.AutoReply = true;
        var never = new TaskCompletionSource<ModelAnswer>();
        OpenAi.Script(_ => never.Task);

        var send = PluginFactory.SendAsync(client!, "alice", "Where is my order?");
        await OpenAi.WaitForRequestAsync(after: 0);
        var timeout = await Factory.Clock.WaitForTimerAsync(t => t.DueAt == Factory.Clock.GetUtcNow() + TimeSpan.FromSeconds(7));
        Factory.Clock.Advance(TimeSpan.FromSeconds(7));
        var body = await ReadAsync(await send);

        Assert.Equal("assistant unavailable", (string?)Assert.Single(Twilio.Interactions).Routing["properties"]!["attributes"]!["reason"]);
        Assert.Equal(AiTurns.HandoffNotice, (string?)body["replies"]![0]);
        Assert.Single(OpenAi.Requests);
    }

    [Fact]
    public async Task ARefusalHandsTheUserToAPerson()
    {
        Start(Interactions);
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Refuses("I can't help with that.")));

        await SendUntilDoneAsync("alice", "Something the model refuses");

        Assert.Equal("assistant unavailable", (string?)Assert.Single(Twilio.Interactions).Routing["properties"]!["attributes"]!["reason"]);
        Assert.DoesNotContain(Twilio.Conversations.Single().Messages, m => m.Body == "I can't help with that.");
    }

    [Fact]
    public async Task AUserWhoAsksForAPersonGetsOneWithoutAskingTheModel()
    {
        Start(Interactions);
        Twilio.AutoReply = true;

        var body = await SendAsync("alice", "Can I talk to a human, please?");

        Assert.Empty(OpenAi.Requests);
        var attributes = Assert.Single(Twilio.Interactions).Routing["properties"]!["attributes"]!;
        Assert.Equal("the customer asked for a person", (string?)attributes["reason"]);
        Assert.Contains("Can I talk to a human, please?", (string?)attributes["summary"], StringComparison.Ordinal);
        Assert.Equal(["ai", "agent"], body["messages"]!.AsArray().Select(m => (string)m!["source"]!));
    }

    [Fact]
    public async Task AfterTheHandoffTheAiIsSilentUntilTheAgentClosesTheConversation()
    {
        Start(Interactions);
        Twilio.AutoReply = true;
        OpenAi.HandsOff("complex", "Needs a person.").Says("Welcome back! How can I help?");

        await SendAsync("alice", "A complicated question");
        var routedSid = Twilio.Conversations.Single().Sid;
        Twilio.AutoReply = false;
        var send = PluginFactory.SendAsync(client!, "alice", "Are you still there?");
        await Factory.Clock.WaitForArmedTimerAsync();
        await Factory.Services.GetRequiredService<AiTurns>().WhenIdleAsync(routedSid);
        Twilio.AgentSays(routedSid, "Yes, I'm here.");
        var afterHandoff = await ReadAsync(await send);

        Assert.Single(OpenAi.Requests);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"text":"Yes, I'm here.","source":"agent"}]"""), afterHandoff["messages"]));

        Twilio.Close(routedSid);
        var startedOver = await SendAsync("alice", "Hello again");

        Assert.Equal(2, OpenAi.Requests.Count);
        Assert.Equal([("user", "Hello again")], OpenAi.Requests[1].Conversation);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"text":"Welcome back! How can I help?","source":"ai"}]"""), startedOver["messages"]));
    }

    [Fact]
    public async Task AHandoffNoticeWithNoAgentAnswerWithinTheWaitIsPendingAndSaysAPersonWillReply()
    {
        Start(Interactions);
        OpenAi.HandsOff("complex", "Needs a person.");

        var body = await SendUntilDoneAsync("alice", "A complicated question");

        Assert.Equal("pending", (string?)body["status"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""[{"text":"{{AiTurns.HandoffNotice}}","source":"ai"}]"""), body["messages"]));
    }

    [Fact]
    public async Task AnAnswerLongerThanATwilioMessageArrivesInPartsThatKeepEveryWord()
    {
        Start();
        var sentence = "Our returns policy covers every item you bought in the last thirty days. ";
        var answer = string.Concat(Enumerable.Repeat(sentence, 50)).Trim();
        OpenAi.Says(answer);

        var body = await SendAsync("alice", "Tell me everything about returns");

        var parts = body["replies"]!.AsArray().Select(r => (string)r!).ToList();
        Assert.True(parts.Count >= 3, $"{parts.Count} parts");
        Assert.All(parts, p => Assert.InRange(p.Length, 1, AnswerParts.MaxLength));
        Assert.Equal(answer, string.Join(" ", parts));
    }

    [Fact]
    public async Task TheMcpToolSaysTheAiAnsweredInItsStructuredMessages()
    {
        Start(new() { ["OAUTH"] = "off" });
        OpenAi.Says("We open at 9.");
        await using var mcp = await McpConnection.ConnectAsync(Factory);

        var result = await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "When do you open?", ["user"] = "alice" });

        Assert.Equal("replied", result.Structured("status"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"text":"We open at 9.","source":"ai"}]"""),
            JsonNode.Parse(result.StructuredContent!.Value.GetProperty("messages").GetRawText())));
    }

    public void Dispose()
    {
        client?.Dispose();
        factory?.Dispose();
        if (Directory.Exists(knowledgeFolder))
        {
            Directory.Delete(knowledgeFolder, recursive: true);
        }
    }

    private void Start(Dictionary<string, string?>? settings = null)
    {
        var all = FakeOpenAi.Settings();
        all["PUBLIC_BASE_URL"] = PublicUrl;
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        factory = new PluginFactory(all);
        client = factory.CreateClient();
    }

    /// <summary>A send answered by events alone (the AI's answer, the agent's webhook): the clock does not move.</summary>
    private async Task<JsonObject> SendAsync(string user, string message) => await ReadAsync(await PluginFactory.SendAsync(client!, user, message));

    /// <summary>
    /// A send that the AI hands off and that then waits out its time limit: the clock moves only once the hand-off is
    /// done (moving it sooner would run out the model's own timeout while it answers).
    /// </summary>
    private async Task<JsonObject> SendUntilDoneAsync(string user, string message)
    {
        var send = PluginFactory.SendAsync(client!, user, message);
        await Twilio.WaitUntilAsync(() => Twilio.Interactions.Count > 0);
        return await ReadAsync(await Factory.Clock.RunUntilDoneAsync(send));
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
