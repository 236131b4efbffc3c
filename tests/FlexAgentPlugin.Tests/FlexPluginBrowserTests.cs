using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The agents' Flex plugin end to end in Chromium: its test page (the plugin's real panels and client, a stand-in Flex
/// manager holding the agent's token) on an origin of its own, against a real server in sandbox mode that allows that
/// origin (FLEX_UI_ORIGINS) and answers first with the stand-in model.
/// </summary>
public sealed class FlexPluginBrowserTests : IAsyncLifetime
{
    private PluginHarness harness = null!;
    private PluginFactory server = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private IPage page = null!;
    private HttpClient http = null!;

    private Uri Server => server.BaseAddress!;

    public async Task InitializeAsync()
    {
        harness = await PluginHarness.StartAsync();
        server = PluginFactory.RealSandbox(new Dictionary<string, string?> { ["RESPONDER"] = "ai-first", ["FLEX_UI_ORIGINS"] = harness.Origin });
        http = new HttpClient { BaseAddress = Server };
        (playwright, browser) = await Browser.LaunchAsync();
        page = await browser.NewPageAsync();
    }

    [PluginBrowserFact]
    public async Task ASimulatedCallsTranscriptAndSuggestionsAppearLiveAndAfterALateOpen()
    {
        var token = await AgentTokenAsync();
        var callSid = (string)(await (await http.PostAsync("/sandbox/api/calls", null)).Content.ReadFromJsonAsync<JsonObject>())!["callSid"]!;
        await UntilAsync(async () => (await EventsStatusAsync(callSid, token)) == HttpStatusCode.OK);

        await page.GotoAsync(harness.PageFor(Server, token, callSid: callSid));

        var panel = page.GetByTestId("assist-panel");
        await Expect(panel).ToContainTextAsync("How long does shipping take?", new() { Timeout = 20_000 });
        await Expect(panel).ToContainTextAsync("Standard shipping takes 3 to 5 business days", new() { Timeout = 20_000 });
        await page.GetByTestId("toggle-assist").ClickAsync();
        await Expect(panel).ToHaveCountAsync(0);
        await page.GetByTestId("toggle-assist").ClickAsync();
        await Expect(panel).ToContainTextAsync("How long does shipping take?");
        await Expect(panel).ToContainTextAsync("Standard shipping takes 3 to 5 business days");
        await Expect(panel).ToContainTextAsync("return unworn items within 30 days", new() { Timeout = 20_000 });
    }

    [PluginBrowserFact]
    public async Task AnAiHandoffShowsItsReasonAndSummaryAndSuggestAReplyFillsTheInputWithoutSending()
    {
        var token = await AgentTokenAsync();
        var sent = await http.PostAsJsonAsync("/sandbox/api/channel-messages", new { address = "+15550123", body = "Can I talk to a person?" });
        var conversationSid = (string)(await sent.Content.ReadFromJsonAsync<JsonObject>())!["conversationSid"]!;
        await UntilAsync(async () => (await ContextAsync(conversationSid, token))?["handoff"] is JsonObject);

        await page.GotoAsync(harness.PageFor(Server, token, conversationSid: conversationSid, assistClosed: true));

        await Expect(page.GetByTestId("context-reason")).ToHaveTextAsync("the customer asked for a person", new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("context-summary")).ToContainTextAsync("Can I talk to a person?");
        await page.GetByTestId("suggest-reply-button").ClickAsync();
        await Expect(page.GetByTestId("message-input")).Not.ToHaveValueAsync("", new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("invoked-actions")).ToHaveTextAsync("SetInputText");
    }

    [PluginBrowserFact]
    public async Task AForgedOrExpiredTokenIsRefusedAndThePanelSaysSo()
    {
        var sent = await http.PostAsJsonAsync("/sandbox/api/channel-messages", new { address = "+15550124", body = "Hello" });
        var conversationSid = (string)(await sent.Content.ReadFromJsonAsync<JsonObject>())!["conversationSid"]!;
        var expired = await AgentTokenAsync("?expired=true");
        var forged = FlexTokens.Make("mallory");

        foreach (var token in new[] { forged, expired })
        {
            await page.GotoAsync(harness.PageFor(Server, token, conversationSid: conversationSid, assistClosed: true));

            await Expect(page.GetByTestId("context-error")).ToContainTextAsync("Your Flex sign-in was refused", new() { Timeout = 15_000 });
        }
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        http.Dispose();
        await server.DisposeAsync();
        await harness.DisposeAsync();
    }

    private async Task<string> AgentTokenAsync(string query = "") =>
        (string)(await http.GetFromJsonAsync<JsonObject>("/sandbox/agent-token" + query))!["token"]!;

    private async Task<HttpStatusCode> EventsStatusAsync(string callSid, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/voice/calls/{callSid}/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    private async Task<JsonObject?> ContextAsync(string conversationSid, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/agent/conversations/{conversationSid}/context");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
    }

    /// <summary>Asks again, a moment apart, until the real server (on the real clock) has done what the test waits for.</summary>
    private static async Task UntilAsync(Func<Task<bool>> done)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await done())
        {
            await Task.Delay(100, limit.Token);
        }
    }
}
