using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// What the AI-on-the-phone tests share: a server whose AI answers calls (OpenAI's API played by WireMock, the emulated
/// Twilio, a public URL Twilio reaches, the Flex workflow, an agent key) and Twilio's side of a ConversationRelay session.
/// </summary>
public abstract class PhoneAiTestsBase : IAsyncLifetime
{
    protected const string PublicUrl = "https://phone.example.com";
    protected const string RelayUrl = "wss://phone.example.com/voice/relay";
    protected const string CallSid = "CA0123456789abcdef0123456789abcdef";
    protected const string AgentKey = "agent-key-0123456789abcdef";

    protected PluginFactory Factory { get; set; } = null!;

    protected FakeOpenAi OpenAi => Factory.OpenAi;

    public virtual Task InitializeAsync()
    {
        Factory = Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    protected static PluginFactory Start(Dictionary<string, string?>? overrides = null)
    {
        var settings = FakeOpenAi.Settings();
        settings["VOICE_RESPONDER"] = "ai-first";
        settings["PUBLIC_BASE_URL"] = PublicUrl;
        settings["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid;
        settings["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid;
        settings["ROUTING_MODE"] = "studio";
        settings["AI_INSTRUCTIONS"] = "You answer the owl shop's phone.";
        settings["VOICE_AGENT_KEYS"] = $"desk={AgentKey}";
        foreach (var (name, value) in overrides ?? [])
        {
            settings[name] = value;
        }

        return new PluginFactory(settings);
    }

    /// <summary>Twilio opens the session for <see cref="CallSid"/>: the signed upgrade and <c>setup</c>.</summary>
    protected Task<ConversationRelayClient> CallAsync() => ConversationRelayClient.ConnectAsync(Factory.Server, RelayUrl, CallSid);

    protected HttpClient AgentClient()
    {
        var agent = Factory.CreateClient();
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentKey);
        return agent;
    }

    /// <summary>The tokens' text, joined.</summary>
    protected static string Said(IEnumerable<JsonObject> tokens) => string.Concat(tokens.Select(t => (string?)t["token"]));

    /// <summary>The <c>end</c> message's hand-off, parsed from its <c>handoffData</c> string.</summary>
    protected static JsonObject Handoff(JsonObject end)
    {
        Assert.Equal("end", (string?)end["type"]);
        return (JsonObject)JsonNode.Parse((string)end["handoffData"]!)!;
    }
}
