using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// A signed-in person is the customer they proved: their conversation and their Flex task carry the verified phone
/// number or email address (a phone as Flex has it for a customer who texts in), and the agent sees them so.
/// </summary>
public sealed class VerifiedCustomerTests
{
    private static readonly Dictionary<string, string?> Interactions = new()
    {
        ["CONV_FLOW"] = "",
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
    };

    [Fact]
    public async Task TheSignedInPersonsPhoneIsTheCustomerOfTheirFlexTask()
    {
        using var factory = new PluginFactory(SignInFlow.Settings(Interactions));
        factory.Twilio.AutoReply = true;
        using var flow = new SignInFlow(factory);
        var (_, tokens) = await flow.SignInAsync("+1 555 123 0001");

        await using var mcp = await McpConnection.ConnectAsync(flow.McpHttp(tokens.AccessToken));
        await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Is my order late?" });

        var routing = Assert.Single(factory.Twilio.Interactions).Routing["properties"]!["attributes"]!;
        Assert.Equal("+15551230001", (string?)routing["from"]);
        Assert.Equal("+15551230001", (string?)routing["customerName"]);
        Assert.Equal("+15551230001", (string?)routing["customerAddress"]);
        Assert.Equal("phone", (string?)routing["verified"]);
        Assert.Equal("mcp", (string?)routing["source"]);
        var conversation = Assert.Single(factory.Twilio.State.Conversations());
        Assert.Equal("MCP: +15551230001", conversation.FriendlyName);
        var attributes = JsonNode.Parse(conversation.Attributes)!;
        Assert.Equal("+15551230001", (string?)attributes["customerAddress"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"kind":"phone","value":"+15551230001"}"""), attributes["verified"]));
    }

    [Fact]
    public async Task AVerifiedEmailIsTheCustomerOfAGptActionsConversation()
    {
        const string Secret = "gpt-secret-0123456789abcdef";
        const string Redirect = "https://chat.openai.com/aip/g-abc/oauth/callback";
        using var factory = new PluginFactory(SignInFlow.Settings(new Dictionary<string, string?>(Interactions)
        {
            ["OAUTH_CLIENTS"] = $"my-gpt|{Secret}|{Redirect}|api",
        }));
        factory.Twilio.AutoReply = true;
        using var flow = new SignInFlow(factory);
        var back = await flow.AuthorizeAsync(SignInFlow.AuthorizeQuery("my-gpt", pkce: null, redirect: Redirect), "Ana@Example.com");
        var tokens = await flow.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code", ["code"] = SignInFlow.Code(back), ["redirect_uri"] = Redirect, ["client_id"] = "my-gpt", ["client_secret"] = Secret,
        });

        (await factory.Clock.RunUntilDoneAsync(flow.McpHttp(tokens.AccessToken).PostAsJsonAsync("/send/anyone", new { msg = "Where is my refund?" }))).Dispose();

        var routing = Assert.Single(factory.Twilio.Interactions).Routing["properties"]!["attributes"]!;
        Assert.Equal("ana@example.com", (string?)routing["customerAddress"]);
        Assert.Equal("email", (string?)routing["verified"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"kind":"email","value":"ana@example.com"}"""),
            JsonNode.Parse(Assert.Single(factory.Twilio.State.Conversations()).Attributes)!["verified"]));
    }

    [Fact]
    public async Task ACallerWithAKeyIsNoVerifiedCustomer()
    {
        using var factory = new PluginFactory(SignInFlow.Settings(new Dictionary<string, string?>(Interactions) { ["API_KEYS"] = "scripts=script-key-0123456789abcdef" }));
        factory.Twilio.AutoReply = true;

        await using var mcp = await McpConnection.ConnectAsync(factory, "script-key-0123456789abcdef");
        await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "From a script" });

        var routing = Assert.Single(factory.Twilio.Interactions).Routing["properties"]!["attributes"]!.AsObject();
        Assert.Equal("scripts", (string?)routing["from"]);
        Assert.False(routing.ContainsKey("verified"));
        Assert.False(JsonNode.Parse(Assert.Single(factory.Twilio.State.Conversations()).Attributes)!.AsObject().ContainsKey("verified"));
    }

    [Fact]
    public async Task TheSandboxConsoleShowsTheSignedInPersonByTheirPhone()
    {
        using var factory = PluginFactory.Sandbox();
        using var flow = new SignInFlow(factory, "http://localhost:5002");
        var (_, tokens) = await flow.SignInAsync("+15551230007");
        await using var mcp = await McpConnection.ConnectAsync(flow.McpHttp(tokens.AccessToken));

        var ask = mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Can a person help?" }).AsTask();
        await factory.Clock.WaitForArmedTimerAsync();

        var item = Assert.Single(JsonNode.Parse(await factory.CreateClient().GetStringAsync("/sandbox/api/conversations"))!.AsArray())!;
        Assert.Equal("+15551230007", (string?)item["customer"]);
        Assert.Equal("mcp", (string?)item["source"]);
        factory.Services.GetRequiredService<EmulatorState>().Close(factory.Services.GetRequiredService<EmulatorState>().Get((string)item["sid"]!));
        Assert.Equal("closed", (await factory.Clock.RunUntilDoneAsync(ask)).Structured("status"));
    }
}
