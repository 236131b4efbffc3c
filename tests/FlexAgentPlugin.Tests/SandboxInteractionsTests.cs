using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>The sandbox emulates Flex's Interactions API, so Interactions routing and the hand-over tool work with no account.</summary>
public sealed class SandboxInteractionsTests : IDisposable
{
    private readonly PluginFactory factory = PluginFactory.Sandbox(new Dictionary<string, string?>
    {
        ["ROUTING_MODE"] = "interactions",
        ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken,
    });

    private readonly HttpClient client;

    public SandboxInteractionsTests() => client = factory.CreateClient();

    [Fact]
    public async Task InteractionsModeBringsTheUsersFirstMessageToTheConsoleAndTheAgentsReplyBack()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Where is my order?");
        await factory.Clock.WaitForArmedTimerAsync();

        var item = Assert.Single(JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray())!;
        Assert.Equal("Where is my order?", (string?)item["lastMessage"]);
        var sid = (string)item["sid"]!;
        var conversation = factory.Services.GetRequiredService<EmulatorState>().Get(sid);
        Assert.DoesNotContain(factory.Services.GetRequiredService<EmulatorState>().Webhooks(conversation), w => w.Target == "studio");
        await client.PostAsJsonAsync($"/sandbox/api/conversations/{sid}/messages", new { body = "It ships today." });

        var response = await factory.Clock.RunUntilDoneAsync(send);

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["It ships today."]}""", response);
    }

    [Fact]
    public async Task HandoverPutsTheAssistantsConversationInTheConsoleQueueOnce()
    {
        var assistant = await (await client.PostAsJsonAsync("/sandbox/api/assistant-conversations",
            new { identity = "whatsapp:+15551234567", message = "Can I talk to a person?" })).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Empty(JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray());

        var first = await client.SendAsync(PluginFactory.HandoverRequest((string)assistant!["sessionId"]!, (string)assistant["identity"]!));
        var second = await client.SendAsync(PluginFactory.HandoverRequest((string)assistant["sessionId"]!, (string)assistant["identity"]!));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var handedOver = await first.Content.ReadFromJsonAsync<JsonObject>();
        Assert.StartsWith("KD", (string?)handedOver!["interactionSid"], StringComparison.Ordinal);
        Assert.True((bool)(await second.Content.ReadFromJsonAsync<JsonObject>())!["alreadyHandedOver"]!);
        var item = Assert.Single(JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray())!;
        Assert.Equal((string?)assistant["conversationSid"], (string?)item["sid"]);
        Assert.Equal("whatsapp:+15551234567", (string?)item["customer"]);
        Assert.True((bool)item["unanswered"]!);
    }

    [Fact]
    public async Task TheHandoverToolWorksInTheSandboxInStudioModeToo()
    {
        using var studio = PluginFactory.Sandbox(new Dictionary<string, string?> { ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken });
        var studioClient = studio.CreateClient();
        var assistant = await (await studioClient.PostAsJsonAsync("/sandbox/api/assistant-conversations", new { })).Content.ReadFromJsonAsync<JsonObject>();

        var response = await studioClient.SendAsync(PluginFactory.HandoverRequest((string)assistant!["sessionId"]!, (string)assistant["identity"]!));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(JsonNode.Parse(await studioClient.GetStringAsync("/sandbox/api/conversations"))!.AsArray());
    }

    [Theory]
    [InlineData("not json", """{"properties":{"workspace_sid":"WS00000000000000000000000000000000","workflow_sid":"WW00000000000000000000000000000000"}}""")]
    [InlineData("""{"type":"fax","initiated_by":"customer","properties":{"media_channel_sid":"CH00000000000000000000000000000000"}}""", """{"properties":{"workspace_sid":"WS00000000000000000000000000000000","workflow_sid":"WW00000000000000000000000000000000"}}""")]
    [InlineData("""{"type":"chat","initiated_by":"customer","properties":{}}""", """{"properties":{"workspace_sid":"WS00000000000000000000000000000000","workflow_sid":"WW00000000000000000000000000000000"}}""")]
    [InlineData("""{"type":"chat","initiated_by":"customer","properties":{"media_channel_sid":"CH00000000000000000000000000000000"}}""", """{"properties":{"workspace_sid":"WS123"}}""")]
    public async Task TheEmulatedInteractionsApiRefusesMalformedChannelOrRouting(string channel, string routing)
    {
        var emulator = factory.CreateSandboxEmulatorClient();

        var response = await emulator.PostAsync("/sandbox/flex/v1/Interactions",
            new FormUrlEncodedContent([new("Channel", channel), new("Routing", routing)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(20001, (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["code"]!);
    }

    public void Dispose() => factory.Dispose();
}
