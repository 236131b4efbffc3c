using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>The call around the AI's session: /voice/incoming's ConversationRelay TwiML, /voice/relay-ended's Enqueue or Hangup, and the settings that choose them.</summary>
public sealed class PhoneAiCallTests : PhoneAiTestsBase
{
    [Fact]
    public async Task AnIncomingCallWithTheAiFirstConnectsToConversationRelayWithASupportLinesSettings()
    {
        var twiml = await IncomingAsync();

        var connect = Assert.Single(twiml.Root!.Elements());
        Assert.Equal("Connect", connect.Name.LocalName);
        Assert.Equal($"{PublicUrl}/voice/relay-ended", (string?)connect.Attribute("action"));
        var relay = Assert.Single(connect.Elements("ConversationRelay"));
        Assert.Equal(RelayUrl, (string?)relay.Attribute("url"));
        Assert.Equal("en-US", (string?)relay.Attribute("language"));
        Assert.Equal("any", (string?)relay.Attribute("interruptible"));
        Assert.Equal("true", (string?)relay.Attribute("dtmfDetection"));
        Assert.StartsWith("Hello!", (string?)relay.Attribute("welcomeGreeting"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheVoiceSettingsChooseTheGreetingLanguageInterruptionsAndKeyPresses()
    {
        await Factory.DisposeAsync();
        Factory = Start(new()
        {
            ["VOICE_WELCOME_GREETING"] = "Bonjour, ici la boutique des hiboux.",
            ["VOICE_LANGUAGE"] = "fr-FR",
            ["VOICE_INTERRUPTIBLE"] = "speech",
            ["VOICE_DTMF_DETECTION"] = "false",
        });

        var relay = (await IncomingAsync()).Root!.Element("Connect")!.Element("ConversationRelay")!;

        Assert.Equal(("Bonjour, ici la boutique des hiboux.", "fr-FR", "speech", "false"),
            ((string?)relay.Attribute("welcomeGreeting"), (string?)relay.Attribute("language"), (string?)relay.Attribute("interruptible"), (string?)relay.Attribute("dtmfDetection")));
    }

    [Fact]
    public async Task MessagingAiFirstAloneKeepsCallsWithAgentsAndVoiceAssist()
    {
        await Factory.DisposeAsync();
        Factory = Start(new() { ["RESPONDER"] = "ai-first", ["VOICE_RESPONDER"] = null });

        var twiml = await IncomingAsync();

        Assert.NotNull(twiml.Root!.Element("Start")?.Element("Stream"));
        Assert.Null(twiml.Root.Element("Connect"));
    }

    [Fact]
    public async Task VoiceResponderAiFirstAnswersCallsWhileMessagingStaysWithPeople()
    {
        await Factory.DisposeAsync();
        Factory = Start(new() { ["RESPONDER"] = "human", ["VOICE_RESPONDER"] = "ai-first" });

        Assert.NotNull((await IncomingAsync()).Root!.Element("Connect")?.Element("ConversationRelay"));
    }

    [Fact]
    public async Task TheSessionsHandoffEnqueuesTheCallToTheWorkflowWithTheSummaryReasonAndTranscript()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Handoff("refund request", "The caller wants a refund for order 42.", "Let me get a colleague.")));
        using var twilio = await CallAsync();
        await twilio.PromptAsync("I want my money back for order 42");
        await twilio.AnswerAsync();
        var handoffData = (string)(await twilio.NextAsync())["handoffData"]!;

        var twiml = await EndedAsync(("CallSid", CallSid), ("From", "+15551230000"), ("SessionStatus", "ended"), ("HandoffData", handoffData));

        var enqueue = twiml.Root!.Element("Enqueue")!;
        Assert.Equal(PluginFactory.WorkflowSid, (string?)enqueue.Attribute("workflowSid"));
        var attributes = JsonNode.Parse(enqueue.Element("Task")!.Value)!;
        Assert.Equal(("inbound", "+15551230000", "voice"), ((string?)attributes["type"], (string?)attributes["from"], (string?)attributes["channel"]));
        Assert.Equal(("refund request", "The caller wants a refund for order 42."), ((string?)attributes["reason"], (string?)attributes["summary"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"speaker":"caller","text":"I want my money back for order 42"},{"speaker":"ai","text":"Let me get a colleague."}]"""),
            attributes["transcript"]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"summary":"no reason"}""")]
    public async Task ASessionEndedWithoutAHandoffHangsUp(string? handoffData)
    {
        (string, string)[] form = handoffData is null
            ? [("CallSid", CallSid), ("SessionStatus", "completed")]
            : [("CallSid", CallSid), ("SessionStatus", "ended"), ("HandoffData", handoffData)];

        var twiml = await EndedAsync(form);

        Assert.Equal(["Hangup"], twiml.Root!.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public async Task AnUnsignedRelayEndedIsRefused()
    {
        using var client = Factory.CreateClient();

        var response = await client.PostAsync("/voice/relay-ended", new FormUrlEncodedContent([new("CallSid", CallSid), new("HandoffData", """{"reason":"x","summary":"y"}""")]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("VOICE_RESPONDER", "robot", "VOICE_RESPONDER must be human")]
    [InlineData("VOICE_INTERRUPTIBLE", "sometimes", "VOICE_INTERRUPTIBLE must be any, speech, dtmf or none")]
    [InlineData("VOICE_LANGUAGE", "english please", "VOICE_LANGUAGE must be a language tag")]
    [InlineData("VOICE_DTMF_DETECTION", "maybe", "VOICE_DTMF_DETECTION must be true or false")]
    public void AMalformedVoiceSettingStopsTheStartNamingIt(string name, string value, string sentence)
    {
        var failures = ConfigurationTests.StartFailures(new() { [name] = value });

        Assert.Contains(failures, f => f.StartsWith(sentence, StringComparison.Ordinal));
    }

    [Fact]
    public void VoiceResponderAiFirstWithoutAWorkflowStopsTheStartNamingIt()
    {
        var failures = ConfigurationTests.StartFailures(new()
        {
            ["VOICE_RESPONDER"] = "ai-first", ["OPENAI_API_KEY"] = FakeOpenAi.ApiKey, ["CONV_FLOW"] = PluginFactory.FlowSid,
        });

        Assert.Equal(["VOICE_RESPONDER=ai-first needs FLEX_WORKFLOW_SID (and FLEX_WORKSPACE_SID), the TaskRouter workflow the AI hands calls to."], failures);
    }

    [Fact]
    public void VoiceResponderAiFirstWithoutAModelStopsTheStartNamingIt()
    {
        var failures = ConfigurationTests.StartFailures(new()
        {
            ["VOICE_RESPONDER"] = "ai-first", ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid, ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
        });

        Assert.Contains("VOICE_RESPONDER=ai-first needs a model: set OPENAI_API_KEY (or AI_BASE_URL for an OpenAI-compatible server of your own).", failures);
    }

    private async Task<XDocument> IncomingAsync()
    {
        using var client = Factory.CreateClient();
        using var response = await Factory.PostSignedAsync(client, "/voice/incoming", ("CallSid", CallSid), ("From", "+15551230000"), ("To", "+15005550006"));
        response.EnsureSuccessStatusCode();
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<XDocument> EndedAsync(params (string Name, string Value)[] form)
    {
        using var client = Factory.CreateClient();
        using var response = await Factory.PostSignedAsync(client, "/voice/relay-ended", form);
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/xml", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
