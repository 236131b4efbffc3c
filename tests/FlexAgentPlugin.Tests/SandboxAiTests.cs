using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// RESPONDER=ai-first in the sandbox: with no key, the AI is the sandbox's stand-in model (keyword match on the sample
/// knowledge), reached over the same OpenAI API, so both uses work end to end with no account and no model.
/// </summary>
public sealed class SandboxAiTests : IDisposable
{
    private readonly PluginFactory factory = PluginFactory.Sandbox(new Dictionary<string, string?> { ["RESPONDER"] = "ai-first" });
    private readonly HttpClient client;

    public SandboxAiTests() => client = factory.CreateClient();

    private EmulatorState State => factory.Services.GetRequiredService<EmulatorState>();

    [Fact]
    public async Task ASendUserGetsTheStandInsAnswerFromTheSampleKnowledge()
    {
        var body = await (await PluginFactory.SendAsync(client, "alice", "What are your opening hours?")).Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal("replied", (string?)body!["status"]);
        var message = Assert.Single(body["messages"]!.AsArray())!;
        Assert.Equal("ai", (string?)message["source"]);
        Assert.Contains("Monday to Saturday", (string?)message["text"], StringComparison.Ordinal);
        Assert.Empty(State.UnknownRequests);
    }

    [Theory]
    [InlineData("Do you repair bicycles?")]
    [InlineData("Do you sell gift wrapping for birthdays?")]
    public async Task AQuestionTheKnowledgeDoesNotAnswerReachesTheAgentConsoleMarkedAsAHandoff(string question)
    {
        var send = PluginFactory.SendAsync(client, "alice", question);
        var item = await WaitForQueueAsync(i => (bool?)i["aiAnswering"] == false);
        var view = JsonNode.Parse(await client.GetStringAsync($"/sandbox/api/conversations/{item["sid"]}"))!;
        await client.PostAsJsonAsync($"/sandbox/api/conversations/{item["sid"]}/messages", new { body = "We don't, sorry." });
        var body = await (await factory.Clock.RunUntilDoneAsync(send)).Content.ReadFromJsonAsync<JsonObject>();

        var notice = view["messages"]!.AsArray().Single(m => m!["handoff"] is JsonObject)!;
        Assert.Equal("ai", (string?)notice["source"]);
        Assert.Equal("no answer in the knowledge", (string?)notice["handoff"]!["reason"]);
        Assert.Contains(question, (string?)notice["handoff"]!["summary"], StringComparison.Ordinal);
        Assert.Equal(["ai", "agent"], body!["messages"]!.AsArray().Select(m => (string)m!["source"]!));
        Assert.Equal("We don't, sorry.", (string?)body["replies"]![1]);
    }

    [Fact]
    public async Task ACustomerOnSmsIsAnsweredByTheAiThroughTheWebhookAndHandedOffWhenTheyAskForAPerson()
    {
        var sent = await client.PostAsJsonAsync("/sandbox/api/channel-messages", new { address = "+15550100", body = "How long does shipping take?" });
        var sid = (string)(await sent.Content.ReadFromJsonAsync<JsonObject>())!["conversationSid"]!;
        var answered = await WaitForQueueAsync(i => (string?)i["sid"] == sid && (bool?)i["aiAnswering"] == true && ((string?)i["lastMessage"])!.Contains("Standard shipping", StringComparison.Ordinal));

        await client.PostAsJsonAsync("/sandbox/api/channel-messages", new { address = "+15550100", body = "Can I speak to someone, please?" });
        var routed = await WaitForQueueAsync(i => (string?)i["sid"] == sid && (bool?)i["aiAnswering"] == false);

        Assert.Equal("+15550100", (string?)answered["customer"]);
        Assert.True((bool)routed["unanswered"]!);
        Assert.Contains(State.Conversations().Single(c => c.Sid == sid).Messages, m => m.FromAi && m.Body!.Contains("person", StringComparison.Ordinal));
        Assert.Empty(State.UnknownRequests);
    }

    [Fact]
    public async Task TheChannelCustomerFormRefusesAnAddressItCannotPlay()
    {
        var response = await client.PostAsJsonAsync("/sandbox/api/channel-messages", new { address = "not an address!", body = "Hi" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("whatsapp:", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStandInModelRefusesAWrongKeyAndPathsOpenAiDoesNotHave()
    {
        var key = factory.Services.GetRequiredService<SandboxSession>().ModelKey;
        using var wrongKey = new HttpRequestMessage(HttpMethod.Post, $"{SandboxAccount.ModelPath}/chat/completions")
        {
            Content = new StringContent("""{"model":"m","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        wrongKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-wrong");
        using var unknown = new HttpRequestMessage(HttpMethod.Post, $"{SandboxAccount.ModelPath}/assistants") { Content = new StringContent("{}") };
        unknown.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var malformed = new HttpRequestMessage(HttpMethod.Post, $"{SandboxAccount.ModelPath}/chat/completions")
        {
            Content = new StringContent("""{"model":"m","messages":[{"role":"robot","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        malformed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrongKey)).StatusCode);
        var notFound = await client.SendAsync(unknown);
        var badRequest = await client.SendAsync(malformed);

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("invalid_request_error", (string?)(await notFound.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["type"]);
        Assert.Equal(HttpStatusCode.BadRequest, badRequest.StatusCode);
        Assert.Equal(2, State.UnknownRequests.Count);
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    /// <summary>The console's queue item that matches, once it does (the AI answers in the background).</summary>
    private async Task<JsonNode> WaitForQueueAsync(Func<JsonNode, bool> match)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = State.Version;
        while (true)
        {
            if (JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray().FirstOrDefault(i => match(i!)) is { } found)
            {
                return found;
            }

            seen = await State.WaitForChangeAsync(seen, limit.Token);
        }
    }
}
