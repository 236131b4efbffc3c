using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Doors.AiResponder;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>POST /twilio/ai-responder: the AI answers customers who write by SMS, WhatsApp or chat, and hands them to Flex.</summary>
public sealed class AiResponderTests : IDisposable
{
    private const string PublicUrl = "https://plugin.example.com";
    private const string Customer = "+15551230000";
    private const string WebhookUrl = PublicUrl + AiResponderEndpoints.Path;

    /// <summary>A webhook URL that is not the AI responder, for tests that deliver the webhooks themselves.</summary>
    private const string ElsewhereUrl = "https://elsewhere.example.com/hook";

    private readonly PluginFactory factory;
    private readonly HttpClient client;

    public AiResponderTests()
    {
        var settings = FakeOpenAi.Settings();
        settings["PUBLIC_BASE_URL"] = PublicUrl;
        settings["CONV_FLOW"] = "";
        settings["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid;
        settings["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid;
        factory = new PluginFactory(settings);
        client = factory.CreateClient();
    }

    private EmulatedTwilio Twilio => factory.Twilio;

    private FakeOpenAi OpenAi => factory.OpenAi;

    [Fact]
    public async Task AnUnsignedCallIsRefusedBeforeAnythingIsRead()
    {
        using var response = await client.PostAsync(AiResponderEndpoints.Path, new FormUrlEncodedContent(MessageAdded("CH" + new string('1', 32), "IM" + new string('1', 32), Customer)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(OpenAi.Requests);
    }

    [Fact]
    public async Task AnSmsCustomerIsAnsweredInTheirConversationByTheAi()
    {
        OpenAi.Says("Standard shipping takes 3 to 5 days.");
        var sid = Twilio.AddChannelConversation(Customer, WebhookUrl);

        Twilio.CustomerWrites(sid, Customer, "How long does shipping take?");
        await Twilio.WaitUntilAsync(() => AiMessages(sid).Count == 1);

        Assert.Equal([("user", "How long does shipping take?")], Assert.Single(OpenAi.Requests).Conversation);
        Assert.Equal("Standard shipping takes 3 to 5 days.", AiMessages(sid).Single().Body);
        Assert.Empty(Twilio.Interactions);
    }

    [Fact]
    public async Task ARetriedDeliveryOfOneMessageIsAnsweredOnce()
    {
        var gate = new TaskCompletionSource<ModelAnswer>();
        OpenAi.Script(_ => gate.Task);
        var sid = Twilio.AddChannelConversation(Customer, ElsewhereUrl);
        var message = Twilio.CustomerWrites(sid, Customer, "Where is my order?");
        var form = Form(message);

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.PostSignedAsync(client, AiResponderEndpoints.Path, form)));
        gate.SetResult(ModelAnswer.Text("It ships tomorrow."));
        await SettledAsync(sid);
        var retried = await factory.PostSignedAsync(client, AiResponderEndpoints.Path, [.. form, ("RetryCount", "1")]);
        await SettledAsync(sid);

        Assert.All([.. deliveries, retried], d => Assert.Equal(HttpStatusCode.OK, d.StatusCode));
        Assert.Equal(1, Twilio.Count("GET", $"/v1/Conversations/{sid}/Messages"));
        Assert.Single(OpenAi.Requests);
        Assert.Single(AiMessages(sid));
    }

    [Fact]
    public async Task MessagesThatArriveWhileTheModelThinksAreAnsweredTogetherInTheNextTurn()
    {
        var gate = new TaskCompletionSource<ModelAnswer>();
        OpenAi.Script(_ => gate.Task).Says("Returns are free, and refunds take 5 days.");
        var sid = Twilio.AddChannelConversation(Customer, ElsewhereUrl);

        await DeliverAsync(Twilio.CustomerWrites(sid, Customer, "Hi, a question about returns."));
        await OpenAi.WaitForRequestAsync(after: 0);
        await DeliverAsync(Twilio.CustomerWrites(sid, Customer, "Are returns free?"));
        await DeliverAsync(Twilio.CustomerWrites(sid, Customer, "And how long do refunds take?"));
        gate.SetResult(ModelAnswer.Text("Happy to help with returns."));
        await SettledAsync(sid);

        Assert.Equal(2, OpenAi.Requests.Count);
        Assert.Equal(
            [("user", "Hi, a question about returns."), ("assistant", "Happy to help with returns."), ("user", "Are returns free?"), ("user", "And how long do refunds take?")],
            OpenAi.Requests[1].Conversation);
        Assert.Equal(["Happy to help with returns.", "Returns are free, and refunds take 5 days."], AiMessages(sid).Select(m => m.Body));
    }

    [Fact]
    public async Task OnceAnAgentHasJoinedTheAiStaysSilent()
    {
        var sid = Twilio.AddChannelConversation(Customer, WebhookUrl);
        Twilio.AgentJoins(sid);

        Twilio.CustomerWrites(sid, Customer, "Thanks for taking over!");
        await Twilio.WaitForRequestAsync(r => r.Method == "GET" && r.Path.EndsWith("/Participants", StringComparison.Ordinal));
        await SettledAsync(sid);

        Assert.Empty(OpenAi.Requests);
        Assert.Empty(AiMessages(sid));
    }

    [Fact]
    public async Task TheAiIgnoresItsOwnMessagesAndTheConversationsOfSendAndMcpUsers()
    {
        var sid = Twilio.AddChannelConversation(Customer, WebhookUrl);
        var own = await factory.PostSignedAsync(client, AiResponderEndpoints.Path,
            [.. MessageAdded(sid, "IM" + new string('2', 32), AiTurns.AiAuthor, "An answer", """{"source":"ai"}""").Select(p => (p.Key, p.Value))]);
        var relayUser = await factory.PostSignedAsync(client, AiResponderEndpoints.Path,
            [.. MessageAdded(sid, "IM" + new string('3', 32), "alice", "Hi", """{"source":"mcp"}""").Select(p => (p.Key, p.Value))]);

        // An agent's message in a conversation /send made: the relay answers there, not the webhook.
        Twilio.AutoReply = true;
        OpenAi.Says("Hello from the relay's AI.");
        await PluginFactory.SendAsync(client, "alice", "Hello");
        var relaySid = Twilio.Conversations.Single(c => c.Sid != sid).Sid;
        var agentInRelay = await factory.PostSignedAsync(client, AiResponderEndpoints.Path,
            [.. MessageAdded(relaySid, "IM" + new string('4', 32), EmulatedTwilio.AgentIdentity, "Agent here").Select(p => (p.Key, p.Value))]);
        await SettledAsync(relaySid);

        Assert.All([own, relayUser, agentInRelay], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(OpenAi.Requests);
        Assert.Empty(AiMessages(sid));
    }

    [Theory]
    [InlineData(Customer, "sms", "sms", Customer)]
    [InlineData("whatsapp:" + Customer, "whatsapp", "chat", Customer)]
    [InlineData("web-visitor-42", "chat", "chat", "web-visitor-42")]
    public async Task AHandoffRoutesTheCustomerWithTheirChannelTypeAndTheSummary(string address, string channelType, string taskChannel, string customerName)
    {
        OpenAi.HandsOff("billing dispute", "Disputes a charge of $40 on the last invoice.");
        var sid = Twilio.AddChannelConversation(address, WebhookUrl);

        Twilio.CustomerWrites(sid, address, "You charged me twice!");
        await Twilio.WaitUntilAsync(() => Twilio.Interactions.Count == 1);

        var interaction = Twilio.Interactions.Single();
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""{"type":"{{{channelType}}}","initiated_by":"customer","properties":{"media_channel_sid":"{{{sid}}}"}}"""), interaction.Channel));
        Assert.Equal(taskChannel, (string?)interaction.Routing["properties"]!["task_channel_unique_name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"from":"{{address}}","customerName":"{{customerName}}","customerAddress":"{{address}}",
             "reason":"billing dispute","summary":"Disputes a charge of $40 on the last invoice."}
            """), interaction.Routing["properties"]!["attributes"]));
        Assert.Equal(AiTurns.HandoffNotice, AiMessages(sid).Single().Body);
    }

    [Theory]
    [InlineData("MessageSid")]
    [InlineData("ConversationSid")]
    [InlineData("Author")]
    public async Task AnEventWithoutAFieldTheAiNeedsIsABadRequestNamingIt(string missing)
    {
        var form = MessageAdded("CH" + new string('5', 32), "IM" + new string('5', 32), Customer).Where(p => p.Key != missing).Select(p => (p.Key, p.Value)).ToArray();

        var response = await factory.PostSignedAsync(client, AiResponderEndpoints.Path, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(missing, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(OpenAi.Requests);
    }

    [Fact]
    public async Task EventsOtherThanANewMessageAreAcknowledgedAndIgnored()
    {
        var response = await factory.PostSignedAsync(client, AiResponderEndpoints.Path,
            ("EventType", "onConversationAdded"), ("ConversationSid", "CH" + new string('6', 32)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(OpenAi.Requests);
        Assert.Empty(Twilio.Requests);
    }

    [Fact]
    public async Task WithHumanAgentsOnlyTheWebhookSaysTheAiResponderIsOff()
    {
        var settings = PluginFactory.ValidSettings(databasePath: null, new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = PublicUrl });
        using var human = new PluginFactory(settings);
        using var humanClient = human.CreateClient();

        var response = await human.PostSignedAsync(humanClient, AiResponderEndpoints.Path,
            [.. MessageAdded("CH" + new string('1', 32), "IM" + new string('1', 32), Customer).Select(p => (p.Key, p.Value))]);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("RESPONDER=ai-first", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"], StringComparison.Ordinal);
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    private List<Sandbox.Emulator.EmulatedMessage> AiMessages(string sid) =>
        [.. Twilio.Conversations.Single(c => c.Sid == sid).Messages.Where(m => m.Author == AiTurns.AiAuthor)];

    /// <summary>Waits until the AI has no turn under way in the conversation.</summary>
    private Task SettledAsync(string sid) => factory.Services.GetRequiredService<AiTurns>().WhenIdleAsync(sid);

    /// <summary>Delivers the onMessageAdded webhook of <paramref name="message"/> as Twilio would, once it is answered.</summary>
    private async Task DeliverAsync(Sandbox.Emulator.EmulatedMessage message)
    {
        using var response = await factory.PostSignedAsync(client, AiResponderEndpoints.Path, Form(message));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static (string, string)[] Form(Sandbox.Emulator.EmulatedMessage message) =>
        [.. MessageAdded(message.ConversationSid, message.Sid, message.Author, message.Body).Select(p => (p.Key, p.Value))];

    private static List<KeyValuePair<string, string>> MessageAdded(string conversationSid, string messageSid, string author, string? body = "Hello", string attributes = "{}") =>
    [
        new("AccountSid", PluginFactory.AccountSid),
        new("ConversationSid", conversationSid),
        new("EventType", "onMessageAdded"),
        new("MessageSid", messageSid),
        new("Index", "0"),
        new("Author", author),
        new("Body", body ?? ""),
        new("Attributes", attributes),
        new("Source", "SMS"),
        new("RetryCount", "0"),
    ];
}
