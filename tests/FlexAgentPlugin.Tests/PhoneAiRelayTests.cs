using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.PhoneAi;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests;

/// <summary>The ConversationRelay socket: the caller's prompts answered by the model as streamed text, interruptions, key presses, hand-offs, hang-ups and bad input.</summary>
public sealed class PhoneAiRelayTests : PhoneAiTestsBase
{
    [Fact]
    public async Task AFinalPromptIsAnsweredAsStreamedTextTokensEndingWithLastTrue()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Streamed("We open ", "at 9 ", "every day.")));
        using var twilio = await CallAsync();

        await twilio.PromptAsync("When do you", last: false);
        await twilio.PromptAsync("When do you open?");
        var tokens = await twilio.AnswerAsync();

        Assert.Equal(["We open ", "at 9 ", "every day.", ""], tokens.Select(t => (string?)t["token"]));
        Assert.Equal([false, false, false, true], tokens.Select(t => (bool)t["last"]!));
        var request = Assert.Single(OpenAi.Requests);
        Assert.Equal(true, (bool?)request.Body["stream"]);
        Assert.Equal([("user", "When do you open?")], request.Conversation);
        Assert.StartsWith("You answer the owl shop's phone.", request.Instructions, StringComparison.Ordinal);
        Assert.Equal(["handoff_to_human"], request.ToolNames);
    }

    [Fact]
    public async Task AnInterruptionCancelsTheAnswerInFlightAndNothingOfItReachesTheCaller()
    {
        var late = new TaskCompletionSource<ModelAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        OpenAi.Script(_ => late.Task).Script(_ => Task.FromResult(ModelAnswer.Streamed("Yes, ", "I'm here.")));
        using var twilio = await CallAsync();
        await twilio.PromptAsync("Do you sell owl food?");
        await OpenAi.WaitForRequestAsync(0);

        await twilio.InterruptAsync("");
        late.SetResult(ModelAnswer.Streamed("Too ", "late."));
        await twilio.PromptAsync("Hello, are you there?");

        Assert.Equal("Yes, I'm here.", Said(await twilio.AnswerAsync()));
        Assert.Equal([("user", "Do you sell owl food?"), ("user", "Hello, are you there?")], OpenAi.Requests[1].Conversation);
    }

    [Fact]
    public async Task AfterAnInterruptionTheHistoryKeepsOnlyWhatTheCallerHeard()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Streamed("We open at 9 on weekdays", " and at 10 on Saturdays.")))
            .Script(_ => Task.FromResult(ModelAnswer.Streamed("On Sundays we are closed.")));
        using var twilio = await CallAsync();
        await twilio.PromptAsync("When do you open?");
        await twilio.AnswerAsync();

        await twilio.InterruptAsync("We open at 9 on weekdays", durationMs: 2100);
        await twilio.PromptAsync("And on Sundays?");
        await twilio.AnswerAsync();

        Assert.Equal([("user", "When do you open?"), ("assistant", "We open at 9 on weekdays"), ("user", "And on Sundays?")], OpenAi.Requests[1].Conversation);
    }

    [Fact]
    public async Task PressingZeroHandsOffWithoutAModelCall()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Streamed("We open at 9.")));
        using var twilio = await CallAsync();
        await twilio.PromptAsync("When do you open?");
        await twilio.AnswerAsync();

        await twilio.DtmfAsync("0");

        var handoff = Handoff(await twilio.NextAsync());
        Assert.Equal(CallHandoff.PressedZero, (string?)handoff["reason"]);
        Assert.Equal("The caller said: When do you open?", (string?)handoff["summary"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"speaker":"caller","text":"When do you open?"},{"speaker":"ai","text":"We open at 9."}]"""), handoff["transcript"]));
        Assert.Single(OpenAi.Requests);
    }

    [Fact]
    public async Task AskingForAPersonInSoManyWordsHandsOffWithoutAModelCall()
    {
        using var twilio = await CallAsync();

        await twilio.PromptAsync("Can I speak to a real person, please?");

        var handoff = Handoff(await twilio.NextAsync());
        Assert.Equal("the customer asked for a person", (string?)handoff["reason"]);
        Assert.Empty(OpenAi.Requests);
    }

    [Fact]
    public async Task AToolCallSpeaksTheModelsWordsThenEndsWithItsReasonSummaryAndTheTranscript()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Handoff("refund request", "The caller wants a refund for order 42.", "Let me get a colleague.")));
        using var twilio = await CallAsync();

        await twilio.PromptAsync("I want my money back for order 42");

        Assert.Equal("Let me get a colleague.", Said(await twilio.AnswerAsync()));
        var handoff = Handoff(await twilio.NextAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"reason":"refund request","summary":"The caller wants a refund for order 42.",
             "transcript":[{"speaker":"caller","text":"I want my money back for order 42"},{"speaker":"ai","text":"Let me get a colleague."}]}
            """), handoff));
    }

    [Fact]
    public async Task AModelFailureHandsOffAsAssistantUnavailableNeverSilence()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Fails(HttpStatusCode.InternalServerError)))
            .Script(_ => Task.FromResult(ModelAnswer.Fails(HttpStatusCode.InternalServerError)));
        using var twilio = await CallAsync();

        await twilio.PromptAsync("Where is my order?");

        var handoff = Handoff(await twilio.NextAsync());
        Assert.Equal("assistant unavailable", (string?)handoff["reason"]);
        Assert.Equal("The customer wrote: Where is my order?", (string?)handoff["summary"]);
    }

    [Fact]
    public async Task AModelThatDoesNotAnswerInTimeHandsOff()
    {
        OpenAi.Script(_ => new TaskCompletionSource<ModelAnswer>().Task);
        using var twilio = await CallAsync();
        await twilio.PromptAsync("Where is my order?");
        await OpenAi.WaitForRequestAsync(0);
        var asked = Factory.Clock.GetUtcNow();

        await Factory.Clock.WaitForTimerAsync(t => t.DueAt == asked + TimeSpan.FromSeconds(20));
        Factory.Clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal("assistant unavailable", (string?)Handoff(await twilio.NextAsync())["reason"]);
    }

    [Fact]
    public async Task AHangUpEndsTheModelsWorkAtOnce()
    {
        OpenAi.Script(_ => new TaskCompletionSource<ModelAnswer>().Task);
        var twilio = await CallAsync();
        await twilio.PromptAsync("Tell me everything about owls.");
        await OpenAi.WaitForRequestAsync(0);

        twilio.Socket.Abort();
        twilio.Dispose();

        await Factory.Logs.WaitForAsync(l => l.Text == $"The AI's session on call {CallSid} ended");
        Assert.Equal(0, Factory.Services.GetRequiredService<PhoneAiCalls>().Active);
    }

    [Fact]
    public async Task AnUnsignedOrForgedUpgradeIsRefused()
    {
        var unsigned = await Assert.ThrowsAnyAsync<Exception>(() => ConversationRelayClient.ConnectAsync(Factory.Server, signedUrl: null, callSid: null));
        var forged = await Assert.ThrowsAnyAsync<Exception>(() => ConversationRelayClient.ConnectAsync(Factory.Server, RelayUrl, callSid: null, authToken: "not-the-auth-token"));

        Assert.Contains("403", unsigned.Message, StringComparison.Ordinal);
        Assert.Contains("403", forged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GarbageMessagesAreLoggedAsWarningsAndTheCallGoesOn()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Streamed("Still here.")));
        using var twilio = await CallAsync();

        foreach (var garbage in new[] { "not json", "[1,2]", """{"type":"prompt"}""", """{"type":"prompt","voicePrompt":42}""", """{"type":"teleport"}""", """{"no":"type"}""", """{"type":"dtmf"}""" })
        {
            await twilio.SendTextAsync(garbage);
        }

        await twilio.SendAsync(new JsonObject { ["type"] = "error", ["description"] = "Invalid message received: bogus" });
        await twilio.PromptAsync("Are you there?");

        Assert.Equal("Still here.", Said(await twilio.AnswerAsync()));
        Assert.Equal(7, Factory.Logs.Lines.Count(l => l.Level == LogLevel.Warning && l.Text.StartsWith($"A ConversationRelay message on call {CallSid} was skipped", StringComparison.Ordinal)));
        Assert.Contains(Factory.Logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("Invalid message received: bogus", StringComparison.Ordinal));
        Assert.DoesNotContain(Factory.Logs.Lines, l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ASocketThatSendsNoSetupIsClosedAfterFiveSeconds()
    {
        using var twilio = await ConversationRelayClient.ConnectAsync(Factory.Server, RelayUrl, callSid: null);
        await twilio.SendTextAsync("""{"type":"prompt","voicePrompt":"hello","last":true}""");
        var opened = Factory.Clock.GetUtcNow();

        await Factory.Clock.WaitForTimerAsync(t => t.DueAt == opened + TimeSpan.FromSeconds(5));
        Factory.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await twilio.ClosedAsync());
        Assert.Empty(OpenAi.Requests);
    }

    [Fact]
    public async Task TheCallsTurnsAreKeptAndReadByTheAgent()
    {
        OpenAi.Script(_ => Task.FromResult(ModelAnswer.Streamed("We open ", "at 9.")));
        using var twilio = await CallAsync();
        await twilio.PromptAsync("When do you open?");
        await twilio.AnswerAsync();
        await twilio.DtmfAsync("0");
        await twilio.NextAsync();

        using var agent = AgentClient();
        var turns = JsonNode.Parse(await agent.GetStringAsync($"/voice/calls/{CallSid}/turns"))!;
        using var anonymous = Factory.CreateClient();
        var refused = await anonymous.GetAsync($"/voice/calls/{CallSid}/turns");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"callSid":"{{CallSid}}","turns":[{"speaker":"caller","text":"When do you open?"},{"speaker":"ai","text":"We open at 9."}]}
            """), turns));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
