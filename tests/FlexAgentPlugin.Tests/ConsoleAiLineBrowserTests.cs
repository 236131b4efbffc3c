using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// "Call the AI line" in the console of a sandbox on a real port with VOICE_RESPONDER=ai-first: a simulated ConversationRelay
/// session over the server's real /voice/relay, answered by the stand-in model, ending in a hand-off shown as a voice task.
/// </summary>
public sealed class ConsoleAiLineBrowserTests : IAsyncLifetime
{
    private readonly PluginFactory server = PluginFactory.RealSandbox(new Dictionary<string, string?> { ["VOICE_RESPONDER"] = "ai-first" });
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private IPage page = null!;

    public async Task InitializeAsync()
    {
        (playwright, browser) = await Browser.LaunchAsync();
        page = await browser.NewPageAsync();
    }

    [BrowserFact]
    public async Task TheAiLineAnswersTheTypedCallerAndAPersonRequestEndsAsAVoiceTaskWithItsSummary()
    {
        await page.GotoAsync(new Uri(server.BaseAddress!, "sandbox").ToString());
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");

        await page.GetByRole(AriaRole.Button, new() { Name = "Call the AI line" }).ClickAsync();
        var call = page.Locator("#ai-call");
        await Expect(call.Locator("#ai-call-state")).ToHaveTextAsync("with the AI");
        await Expect(call).ToContainTextAsync("Simulated ConversationRelay session");
        await page.GetByLabel("What the caller says").FillAsync("How long does shipping take?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Say" }).ClickAsync();

        await Expect(call.Locator(".ai-call-line.ai .bubble").Last).ToContainTextAsync("Standard shipping", new() { Timeout = 15_000 });
        await page.GetByLabel("What the caller says").FillAsync("Can I talk to a person?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Say" }).ClickAsync();

        await Expect(call.Locator("#ai-call-state")).ToHaveTextAsync("handed to Flex", new() { Timeout = 15_000 });
        await Expect(call.Locator("#ai-call-task")).ToContainTextAsync("Voice task in Flex");
        await Expect(call.Locator("#ai-call-task")).ToContainTextAsync("the customer asked for a person");
        await Expect(call.Locator("#ai-call-task")).ToContainTextAsync("Can I talk to a person?");
        await Expect(page.Locator(".ai-call-entry")).ToContainTextAsync("handed to Flex");
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await server.DisposeAsync();
    }
}
