using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>What reaches Twilio, byte for byte where it matters: form names, repeated filters, headers, auth.</summary>
public sealed class TwilioWireFormatTests : IDisposable
{
    private readonly PluginFactory factory = new();

    [Fact]
    public async Task FirstMessageCreatesAConversationThatSaysItCameFromThePlugin()
    {
        await FirstExchangeAsync();

        var create = Single("POST", "/v1/Conversations");
        Assert.Equal(["FriendlyName", "UniqueName", "Attributes"], create.Form.Select(p => p.Key));
        Assert.Matches("^flexagent-[0-9a-f]{40}$", create.Form1("UniqueName"));
        Assert.Contains("AI plugin", create.Form1("FriendlyName"), StringComparison.Ordinal);
        Assert.Equal("ai-plugin", (string?)JsonNode.Parse(create.Form1("Attributes")!)!["source"]);
        Assert.Equal("application/x-www-form-urlencoded", create.ContentType);
    }

    [Fact]
    public async Task UserJoinsAsAChatParticipantNamedByTheUsername()
    {
        await FirstExchangeAsync();

        var participant = Single("POST", $"/v1/Conversations/{ConversationSid}/Participants");
        Assert.Equal([new("Identity", "alice")], participant.Form);
    }

    [Fact]
    public async Task ConversationIsRoutedToTheStudioFlowOnNewMessages()
    {
        await FirstExchangeAsync();

        var webhook = Single("POST", $"/v1/Conversations/{ConversationSid}/Webhooks");
        Assert.Equal("studio", webhook.Form1("Target"));
        Assert.Equal(PluginFactory.FlowSid, webhook.Form1("Configuration.FlowSid"));
        Assert.Equal(["onMessageAdded"], webhook.FormAll("Configuration.Filters"));
    }

    [Fact]
    public async Task MessageIsPostedByTheUserWithWebhooksEnabled()
    {
        await FirstExchangeAsync();

        var message = Single("POST", $"/v1/Conversations/{ConversationSid}/Messages");
        Assert.Equal(["Author", "Body", "Attributes"], message.Form.Select(p => p.Key));
        Assert.Equal("alice", message.Form1("Author"));
        Assert.Equal("Where is my order?", message.Form1("Body"));
        Assert.Matches("^[0-9a-f]{32}$", (string?)JsonNode.Parse(message.Form1("Attributes")!)!["client_message_id"]);
        Assert.Equal("true", message.Headers["X-Twilio-Webhook-Enabled"]);
    }

    [Fact]
    public async Task RepliesAreReadNewestFirstTenAtATime()
    {
        await FirstExchangeAsync();

        var list = factory.Twilio.Requests.First(r => r.Method == "GET" && r.Path.EndsWith("/Messages", StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, string> { ["Order"] = "desc", ["PageSize"] = "10" }, list.Query);
    }

    [Fact]
    public async Task EveryCallUsesBasicAuthWithTheAccountSidAndAuthToken()
    {
        await FirstExchangeAsync();

        var expected = Basic(PluginFactory.AccountSid, PluginFactory.AuthToken);
        Assert.All(factory.Twilio.Requests, r => Assert.Equal(expected, r.Headers["Authorization"]));
    }

    [Fact]
    public async Task ApiKeyAndSecretAreUsedInsteadOfTheAuthTokenWhenSet()
    {
        const string apiKey = "SKfedcba9876543210fedcba9876543210";
        using var keyed = new PluginFactory(new Dictionary<string, string?>
        {
            ["TWILIO_API_KEY"] = apiKey,
            ["TWILIO_API_SECRET"] = "api-secret-0001",
        });
        keyed.Twilio.User = apiKey;
        keyed.Twilio.Password = "api-secret-0001";
        var client = keyed.CreateClient();
        var send = PluginFactory.SendAsync(client, "alice", "hi");
        await keyed.Clock.WaitForArmedTimerAsync();
        keyed.Twilio.AgentSays(keyed.Twilio.Conversations.Single().Sid, "hello");

        var response = await keyed.Clock.RunUntilDoneAsync(send);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(keyed.Twilio.Requests, r => Assert.Equal(Basic(apiKey, "api-secret-0001"), r.Headers["Authorization"]));
    }

    public void Dispose() => factory.Dispose();

    private string ConversationSid => factory.Twilio.Conversations.Single().Sid;

    private async Task FirstExchangeAsync()
    {
        var send = PluginFactory.SendAsync(factory.CreateClient(), "alice", "Where is my order?");
        await factory.Clock.WaitForArmedTimerAsync();
        factory.Twilio.AgentSays(ConversationSid, "It ships today.");
        var response = await factory.Clock.RunUntilDoneAsync(send);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private RecordedRequest Single(string method, string path) =>
        Assert.Single(factory.Twilio.Requests, r => r.Method == method && r.Path == path);

    private static string Basic(string user, string password) =>
        new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))).ToString();
}
