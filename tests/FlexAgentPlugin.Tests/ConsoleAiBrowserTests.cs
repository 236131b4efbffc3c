using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The stand-in models, seen in the console of a sandbox on a real port with RESPONDER=ai-first: a customer on SMS
/// (played from the console) is answered by the stand-in model, its turns stand apart, and the hand-off is marked; a
/// simulated call streams through the real /voice/stream and the stand-in Realtime API into suggestions.
/// </summary>
public sealed class ConsoleAiBrowserTests : IAsyncLifetime
{
    private readonly PluginFactory server = PluginFactory.RealSandbox(new Dictionary<string, string?> { ["RESPONDER"] = "ai-first" });
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private IPage page = null!;

    public async Task InitializeAsync()
    {
        (playwright, browser) = await Browser.LaunchAsync();
        page = await browser.NewPageAsync();
    }

    [BrowserFact]
    public async Task AnSmsCustomersAiTurnsStandApartAndTheHandoffIsMarkedForTheAgent()
    {
        await page.GotoAsync(new Uri(server.BaseAddress!, "sandbox").ToString());
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");

        await page.GetByLabel("SMS number, whatsapp:+number or chat name").FillAsync("+15550123");
        await page.GetByLabel("Customer's message").FillAsync("How long does shipping take?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send as customer" }).ClickAsync();

        var entry = page.Locator(".conversation-list button", new() { HasText = "+15550123" });
        await Expect(entry.Locator(".ai-answering")).ToHaveTextAsync("AI answering", new() { Timeout = 15_000 });
        await entry.ClickAsync();
        await Expect(page.Locator(".message.ai .bubble")).ToContainTextAsync("Standard shipping");
        await Expect(page.Locator(".message.ai .who")).ToContainTextAsync("AI assistant");
        await Expect(page.Locator("#ai-note")).ToBeVisibleAsync();

        await page.GetByLabel("Customer's message").FillAsync("Can I talk to a person?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send as customer" }).ClickAsync();

        await Expect(page.Locator(".handoff")).ToContainTextAsync("Handed off to a person: the customer asked for a person", new() { Timeout = 15_000 });
        await Expect(page.Locator("#ai-note")).ToBeHiddenAsync();
        await Expect(entry.Locator(".unanswered")).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task ASimulatedCallShowsTheCallersQuestionsAndSuggestedAnswersLive()
    {
        await page.GotoAsync(new Uri(server.BaseAddress!, "sandbox").ToString());
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");

        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate a call" }).ClickAsync();

        var call = page.Locator("#call");
        await Expect(call.Locator("#call-state")).ToHaveTextAsync("in progress");
        await Expect(call.Locator(".transcript").First).ToContainTextAsync("How long does shipping take?", new() { Timeout = 20_000 });
        await Expect(call.Locator(".suggestion").First).ToContainTextAsync("Standard shipping takes 3 to 5 business days");
        await Expect(call.Locator(".suggestion").Nth(1)).ToContainTextAsync("return unworn items within 30 days", new() { Timeout = 20_000 });
        await Expect(call.Locator("#call-state")).ToHaveTextAsync("ended", new() { Timeout = 20_000 });
        await Expect(page.Locator(".call-entry")).ToContainTextAsync("ended");
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await server.DisposeAsync();
    }
}
