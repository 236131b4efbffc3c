using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The agents' desk: <c>GET /agent/conversations/{sid}/context</c> (who the customer is, where they came from, what the
/// AI said and why it handed off, how long they waited, whether their assistant waits) and
/// <c>POST /agent/conversations/{sid}/draft</c> (a reply drafted by the model, never sent), as an agent's plugin calls them.
/// </summary>
public sealed class AgentDeskTests : IDisposable
{
    private const string AgentKey = "agent-key-0123456789abcdef";
    private const string ApiKey = "api-key-claude-0123456789abcdef";
    private const string UnknownSid = "CH0000000000000000000000000000dead";

    private readonly string knowledgeFolder = Path.Combine(Path.GetTempPath(), "flexagent-knowledge", Guid.NewGuid().ToString("N"));
    private PluginFactory? factory;

    private PluginFactory Factory => factory ??= Start();

    private EmulatedTwilio Twilio => Factory.Twilio;

    [Fact]
    public async Task AGptActionUserWaitingOnTheLineIsShownWithTheirDoorKeyAndWait()
    {
        var send = SendWithKeyAsync("alice", "Where is my order?");
        var sid = await ConversationOfAsync("alice");
        await Factory.Clock.WaitForArmedTimerAsync();
        Factory.Clock.Advance(TimeSpan.FromSeconds(12));

        var context = await ContextWhenAsync(sid, c => (string?)c["assistant"] == "waiting");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"conversationSid":"{{sid}}","customer":{"name":"alice","verified":null},
             "origin":{"door":"gpt-action","channel":null,"client":null,"keyName":"claude-desktop"},
             "handoff":null,"aiMessages":[],"waitedSeconds":12,"assistant":"waiting","queue":null}
            """), Without(context, "waitingSince")), context.ToJsonString());
        Assert.Equal(Twilio.Conversations.Single().Messages.Single().Created.UtcDateTime, (DateTime)context["waitingSince"]!);
        await Factory.Clock.RunUntilDoneAsync(send);
    }

    [Fact]
    public async Task AnAssistantToldPendingIsShownAsPendingAndTheCustomerStillWaits()
    {
        var response = await Factory.Clock.RunUntilDoneAsync(SendWithKeyAsync("alice", "Where is my order?"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sid = await ConversationOfAsync("alice");

        var context = await ContextWhenAsync(sid, c => (string?)c["assistant"] != "waiting");

        Assert.Equal("pending", (string?)context["assistant"]);
        Assert.Equal(40, (long)context["waitedSeconds"]!);
    }

    [Fact]
    public async Task AnAnsweredCustomerNoLongerWaitsAndTheirAssistantIsNone()
    {
        Twilio.AutoReply = true;
        var response = await Factory.Clock.RunUntilDoneAsync(SendWithKeyAsync("alice", "Where is my order?"));
        Assert.Contains("replied", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var context = await ContextWhenAsync(await ConversationOfAsync("alice"), c => (string?)c["assistant"] != "waiting");

        Assert.Null(context["waitingSince"]);
        Assert.Null(context["waitedSeconds"]);
        Assert.Equal("none", (string?)context["assistant"]);
    }

    [Fact]
    public async Task AnMcpUserIsShownWithTheClientNameAndTheKeyName()
    {
        using var http = Factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(http.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, http);
        await using var mcp = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "Claude", Version = "1.0" } });
        var call = mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Refund please", ["user"] = "bob-0123456789abc" }).AsTask();
        var sid = await ConversationOfAsync("bob-0123456789abc");

        var context = await ContextAsync(sid);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"door":"mcp","channel":null,"client":"Claude","keyName":"claude-desktop"}"""), context["origin"]));
        Assert.Equal("bob-0123456789abc", (string?)context["customer"]!["name"]);
        await Factory.Clock.RunUntilDoneAsync(call);
    }

    [Fact]
    public async Task AVerifiedCustomerIsShownWithWhatTheyProved()
    {
        var conversation = Twilio.State.CreateConversation("MCP: +15551234567", null,
            """{"source":"mcp","created_by":"FlexAgentPlugin","customerAddress":"+15551234567","verified":{"kind":"phone","value":"+15551234567"}}""");
        Twilio.State.AddMessage(conversation, "person-7f3a", "Hello", """{"source":"mcp"}""", webhookEnabled: false, fromAgent: false);

        var context = await ContextAsync(conversation.Sid);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"person-7f3a","verified":{"kind":"phone","value":"+15551234567"}}"""), context["customer"]));
        Assert.Equal("none", (string?)context["assistant"]);
    }

    [Fact]
    public async Task ACustomerOnSmsWhomTheAiHandedOffIsShownWithTheAisMessagesReasonAndSummary()
    {
        var conversation = Twilio.State.CreateConversation(null, null, "{}");
        var opened = Factory.Clock.GetUtcNow();
        Twilio.State.AddMessage(conversation, "+15557654321", "When do you open?", null, webhookEnabled: false, fromAgent: false);
        Twilio.State.AddMessage(conversation, "ai-assistant", "We open at 9.", """{"source":"ai","answered_index":0}""", webhookEnabled: false, fromAgent: false);
        Factory.Clock.Advance(TimeSpan.FromSeconds(30));
        Twilio.State.AddMessage(conversation, "+15557654321", "I want a refund", null, webhookEnabled: false, fromAgent: false);
        Twilio.State.AddMessage(conversation, "ai-assistant", "A person will reply.",
            """{"source":"ai","answered_index":2,"handoff":{"reason":"refund request","summary":"Wants a refund for order 42."}}""", webhookEnabled: false, fromAgent: false);
        Factory.Clock.Advance(TimeSpan.FromSeconds(95));

        var context = await ContextAsync(conversation.Sid);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"door":"channel","channel":"sms","client":null,"keyName":null}"""), context["origin"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"reason":"refund request","summary":"Wants a refund for order 42."}"""), context["handoff"]));
        Assert.Equal(["We open at 9.", "A person will reply."], context["aiMessages"]!.AsArray().Select(m => (string?)m!["text"]));
        Assert.Equal(opened.UtcDateTime, (DateTime)context["aiMessages"]![0]!["at"]!);
        Assert.Null(context["waitingSince"]);
        Assert.Equal("none", (string?)context["assistant"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"+15557654321","verified":null}"""), context["customer"]));
    }

    [Fact]
    public async Task ACustomerOnWhatsAppWaitingSinceTheirFirstUnansweredMessageIsTimedFromIt()
    {
        var conversation = Twilio.State.CreateConversation(null, null, null);
        Twilio.State.AddMessage(conversation, "whatsapp:+15557654321", "Hi", null, webhookEnabled: false, fromAgent: false);
        Factory.Clock.Advance(TimeSpan.FromSeconds(20));
        Twilio.State.AddMessage(conversation, "whatsapp:+15557654321", "Anyone there?", null, webhookEnabled: false, fromAgent: false);
        Factory.Clock.Advance(TimeSpan.FromSeconds(75));

        var context = await ContextAsync(conversation.Sid);

        Assert.Equal("whatsapp", (string?)context["origin"]!["channel"]);
        Assert.Equal(95, (long)context["waitedSeconds"]!);
        Assert.Null(context["handoff"]);
        Assert.Empty(context["aiMessages"]!.AsArray());
    }

    [Fact]
    public async Task AnUnknownConversationIs404AndAMalformedSidIs400()
    {
        using var client = AgentClient();

        var unknown = await client.GetAsync($"/agent/conversations/{UnknownSid}/context");
        var malformed = await client.GetAsync("/agent/conversations/not-a-sid/context");
        var draft = await client.PostAsync($"/agent/conversations/{UnknownSid}/draft", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("conversationSid", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, draft.StatusCode);
    }

    [Fact]
    public async Task ARefusedFlexTokenIs401AndOneWithoutAnAgentRoleIs403()
    {
        var forged = FlexTokens.Make("mallory");
        var guest = FlexTokens.Make("guest");
        Factory.Iam.Knows(forged, FakeIam.Invalid(20101, "Invalid Access Token"));
        Factory.Iam.Knows(guest, FakeIam.Valid("guest", Factory.Clock.GetUtcNow().AddHours(1), "WK0123456789abcdef0123456789abcdef", "guest"));
        using var client = Factory.CreateClient();

        var refused = await SendAsync(client, HttpMethod.Get, $"/agent/conversations/{UnknownSid}/context", forged);
        var noRole = await SendAsync(client, HttpMethod.Post, $"/agent/conversations/{UnknownSid}/draft", guest);
        var none = await client.GetAsync($"/agent/conversations/{UnknownSid}/context");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Fact]
    public async Task AValidFlexTokenReadsTheContext()
    {
        var token = FlexTokens.Make("alice-agent");
        Factory.Iam.Knows(token, FakeIam.Valid("alice-agent", Factory.Clock.GetUtcNow().AddHours(1), "WK0123456789abcdef0123456789abcdef", "agent"));
        var conversation = Twilio.State.CreateConversation(null, null, null);
        using var client = Factory.CreateClient();

        var response = await SendAsync(client, HttpMethod.Get, $"/agent/conversations/{conversation.Sid}/context", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(conversation.Sid, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["conversationSid"]);
    }

    [Fact]
    public async Task ADraftIsTheModelsAnswerGroundedInTheKnowledgeAndTheConversationAndIsNeverSent()
    {
        Directory.CreateDirectory(knowledgeFolder);
        await File.WriteAllTextAsync(Path.Combine(knowledgeFolder, "refunds.md"), "# Refunds\nRefunds take 5 days.");
        factory = Start(With(FakeOpenAi.Settings(), new() { ["AI_INSTRUCTIONS"] = "You answer for the owl shop.", ["AI_KNOWLEDGE_PATH"] = knowledgeFolder }));
        Factory.OpenAi.Says("Your refund will arrive within 5 days.");
        var conversation = Twilio.State.CreateConversation(null, null, null);
        Twilio.State.AddMessage(conversation, "+15557654321", "When will my refund arrive?", null, webhookEnabled: false, fromAgent: false);
        using var client = AgentClient();

        var response = await client.PostAsync($"/agent/conversations/{conversation.Sid}/draft", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"draft":"Your refund will arrive within 5 days."}"""), JsonNode.Parse(await response.Content.ReadAsStringAsync())));
        var request = Assert.Single(Factory.OpenAi.Requests);
        Assert.StartsWith("You answer for the owl shop.", request.Instructions, StringComparison.Ordinal);
        Assert.Contains("Refunds take 5 days.", request.Instructions, StringComparison.Ordinal);
        Assert.Equal([("user", "When will my refund arrive?")], request.Conversation);
        Assert.Single(Twilio.Conversations.Single().Messages);
    }

    [Fact]
    public async Task WithoutAModelADraftIs503SayingSo()
    {
        var conversation = Twilio.State.CreateConversation(null, null, null);
        using var client = AgentClient();

        var response = await client.PostAsync($"/agent/conversations/{conversation.Sid}/draft", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("OPENAI_API_KEY", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelThatFailsIs503WithRetryAfter()
    {
        factory = Start(FakeOpenAi.Settings());
        // The SDK tries twice.
        Factory.OpenAi.Script(_ => Task.FromResult(ModelAnswer.Fails(HttpStatusCode.InternalServerError))).Script(_ => Task.FromResult(ModelAnswer.Fails(HttpStatusCode.InternalServerError)));
        var conversation = Twilio.State.CreateConversation(null, null, null);
        Twilio.State.AddMessage(conversation, "+15557654321", "Hello?", null, webhookEnabled: false, fromAgent: false);
        using var client = AgentClient();

        var response = await client.PostAsync($"/agent/conversations/{conversation.Sid}/draft", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    public void Dispose()
    {
        factory?.Dispose();
        if (Directory.Exists(knowledgeFolder))
        {
            Directory.Delete(knowledgeFolder, recursive: true);
        }
    }

    private static PluginFactory Start(Dictionary<string, string?>? settings = null)
    {
        var all = With(FakeIam.Settings(), new() { ["VOICE_AGENT_KEYS"] = $"desk={AgentKey}", ["API_KEYS"] = $"claude-desktop={ApiKey}", ["OAUTH"] = "off" });
        return new PluginFactory(With(all, settings ?? []));
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, Dictionary<string, string?> more)
    {
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static JsonObject Without(JsonObject json, string name)
    {
        var copy = json.DeepClone().AsObject();
        copy.Remove(name);
        return copy;
    }

    private HttpClient AgentClient()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentKey);
        return client;
    }

    private Task<HttpResponseMessage> SendWithKeyAsync(string user, string message)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return PluginFactory.SendAsync(client, user, message);
    }

    private async Task<string> ConversationOfAsync(string user)
    {
        await Twilio.WaitUntilAsync(() => Twilio.Conversations.Any(c => c.Messages.Any(m => m.Author == user)));
        return Twilio.Conversations.First(c => c.Messages.Any(m => m.Author == user)).Sid;
    }

    private async Task<JsonObject> ContextAsync(string sid)
    {
        using var client = AgentClient();
        var response = await client.GetAsync($"/agent/conversations/{sid}/context");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>
    /// The context once <paramref name="settled"/> holds (at most 50 reads): whether the assistant waits is recorded beside
    /// its wait, not before it, so a read may come a moment early.
    /// </summary>
    private async Task<JsonObject> ContextWhenAsync(string sid, Func<JsonObject, bool> settled)
    {
        var context = await ContextAsync(sid);
        for (var read = 1; read < 50 && !settled(context); read++)
        {
            await Task.Delay(20);
            context = await ContextAsync(sid);
        }

        return context;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
