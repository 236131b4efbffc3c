using System.Net;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>Routing new conversations through Flex's Interactions API instead of a Studio flow.</summary>
public sealed class InteractionsRoutingTests : IDisposable
{
    private static readonly Dictionary<string, string?> InteractionsOnly = new()
    {
        ["CONV_FLOW"] = "",
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
    };

    private readonly PluginFactory factory = new(InteractionsOnly);
    private readonly HttpClient client;

    public InteractionsRoutingTests()
    {
        client = factory.CreateClient();
        factory.Twilio.AutoReply = true;
    }

    private EmulatedTwilio Twilio => factory.Twilio;

    [Fact]
    public async Task TheInteractionCarriesTheChannelAndRoutingDocumentsAsFormFields()
    {
        var response = await factory.SendAndWaitAsync(client, "alice", "I need a human");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(Twilio.Requests, r => r.Path == "/v1/Interactions");
        Assert.Equal("POST", request.Method);
        Assert.Equal("flex", request.Api);
        Assert.All(Twilio.Requests.Where(r => r != request && r.Api != "taskrouter"), r => Assert.Equal("conversations", r.Api));
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal(["Channel", "Routing"], request.Form.Select(p => p.Key));
        var conversation = Twilio.Conversations.Single().Sid;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""{"type":"chat","initiated_by":"customer","properties":{"media_channel_sid":"{{{conversation}}}"}}"""),
            JsonNode.Parse(request.Form1("Channel")!)));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""
                {"properties":{"workspace_sid":"{{{PluginFactory.WorkspaceSid}}}","workflow_sid":"{{{PluginFactory.WorkflowSid}}}",
                 "task_channel_unique_name":"chat","attributes":{"from":"alice","customerName":"alice","source":"ai-plugin"} } }
                """),
            JsonNode.Parse(request.Form1("Routing")!)));
    }

    [Fact]
    public async Task TheUsersFirstMessageIsPostedBeforeTheInteractionIsCreated()
    {
        await factory.SendAndWaitAsync(client, "alice", "I need a human");

        var paths = Twilio.Requests.Where(r => r.Method == "POST").Select(r => r.Path).ToList();
        var message = paths.FindIndex(p => p.EndsWith("/Messages", StringComparison.Ordinal));
        var interaction = paths.IndexOf("/v1/Interactions");
        Assert.InRange(message, 0, interaction - 1);
        Assert.DoesNotContain(Twilio.Conversations.Single().Webhooks, w => w.Target == "studio");
    }

    [Fact]
    public async Task LaterMessagesGoToTheSameConversationWithoutASecondInteraction()
    {
        await factory.SendAndWaitAsync(client, "alice", "first");
        var second = await factory.SendAndWaitAsync(client, "alice", "second");

        await JsonAssert.BodyEqualAsync($$"""{"status": "replied", "replies": ["{{EmulatedTwilio.AutoReplyTo("second")}}"]}""", second);
        Assert.Single(Twilio.Conversations);
        Assert.Single(Twilio.Interactions);
    }

    [Fact]
    public async Task AnInteractionFlexRefusedAnswersPendingAndGetRepliesRoutesTheConversation()
    {
        Twilio.Refuse("/v1/Interactions", times: 1);

        var refused = await factory.SendAndWaitAsync(client, "alice", "first");
        var replies = await factory.Clock.RunUntilDoneAsync(client.GetAsync("/replies/alice"));

        await JsonAssert.BodyEqualAsync($$"""{"status": "pending", "replies": [], "message": "{{AgentReplies.TwilioFailed}}"}""", refused);
        await JsonAssert.BodyEqualAsync($$"""{"status": "replied", "replies": ["{{EmulatedTwilio.AutoReplyTo("first")}}"]}""", replies);
        Assert.Single(Twilio.Interactions);
        Assert.Equal(["first"], Twilio.Conversations.Single().Messages.Where(m => m.Author == "alice").Select(m => m.Body));
    }

    [Fact]
    public async Task AnInteractionFlexRefusedIsCreatedWithTheUsersNextMessage()
    {
        Twilio.Refuse("/v1/Interactions", times: 1);

        var refused = await factory.SendAndWaitAsync(client, "alice", "first");
        var accepted = await factory.SendAndWaitAsync(client, "alice", "second");

        Assert.Contains("pending", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Single(Twilio.Interactions);
        Assert.Equal(["first", "second"], Twilio.Conversations.Single().Messages.Where(m => m.Author == "alice").Select(m => m.Body));
    }

    [Fact]
    public async Task AnInteractionWhoseAnswerWasLostIsNotSentAgain()
    {
        Twilio.FailAfterApplying = r => r.Path == "/v1/Interactions";

        var response = await factory.SendAndWaitAsync(client, "alice", "first");

        await JsonAssert.BodyEqualAsync($$"""{"status": "pending", "replies": [], "message": "{{AgentReplies.TwilioFailed}}"}""", response);
        Assert.Equal(1, Twilio.Count("POST", "/v1/Interactions"));
        Assert.Single(Twilio.Interactions);
    }

    [Fact]
    public async Task ConversationsSetUpForStudioAreNotGivenAnInteractionWhenTheModeChanges()
    {
        using (var studio = new PluginFactory(new Dictionary<string, string?> { ["DATABASE_PATH"] = factory.DatabasePath }, Twilio))
        {
            await studio.SendAndWaitAsync(studio.CreateClient(), "alice", "via Studio");
        }

        var response = await factory.SendAndWaitAsync(client, "alice", "after the switch");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Twilio.Conversations);
        Assert.Empty(Twilio.Interactions);
    }

    [Theory]
    [InlineData("studio", 0, 1)]
    [InlineData("interactions", 1, 0)]
    [InlineData("", 1, 0)]
    public async Task RoutingModeChoosesWhenBothRoutingsAreConfigured(string mode, int interactions, int studioWebhooks)
    {
        using var both = new PluginFactory(new Dictionary<string, string?>
        {
            ["ROUTING_MODE"] = mode,
            ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
            ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
        });
        both.Twilio.AutoReply = true;

        var response = await both.SendAndWaitAsync(both.CreateClient(), "alice", "Hello");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(interactions, both.Twilio.Interactions.Count);
        Assert.Equal(studioWebhooks, both.Twilio.Conversations.Single().Webhooks.Count(w => w.Target == "studio"));
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }
}
