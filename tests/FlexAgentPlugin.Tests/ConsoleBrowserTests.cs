using System.Net;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The one-minute tour in a real browser: the server runs in sandbox mode on a real port, a customer's
/// <c>/send</c> waits, and an agent answers (or closes) in the console at <c>/sandbox</c>.
/// </summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
{
    private readonly PluginFactory server = PluginFactory.RealSandbox(new Dictionary<string, string?> { ["POLL_INTERVAL_SECONDS"] = "0.2", ["OAUTH"] = "off" });
    private HttpClient customer = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private IPage page = null!;

    public async Task InitializeAsync()
    {
        customer = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        (playwright, browser) = await Browser.LaunchAsync();
        page = await browser.NewPageAsync();
    }

    [BrowserFact]
    public async Task ReplyTypedInTheConsoleIsReturnedToTheWaitingSend()
    {
        await OpenConsoleAsync();
        var send = PluginFactory.SendAsync(customer, "alice", "Where is my order?");
        await OpenConversationAsync("alice");
        await Expect(page.Locator(".message.customer .bubble")).ToHaveTextAsync("Where is my order?");

        await page.GetByLabel("Reply").FillAsync("It ships today.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();

        var response = await send.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["It ships today."]}""", response);
        await Expect(page.Locator(".message.agent .bubble")).ToHaveTextAsync("It ships today.");
    }

    [BrowserFact]
    public async Task EnterInTheReplyBoxSendsTheReply()
    {
        await OpenConsoleAsync();
        var send = PluginFactory.SendAsync(customer, "bob", "Are you open on Sunday?");
        await OpenConversationAsync("bob");

        await page.GetByLabel("Reply").FillAsync("Yes, from 10 to 4.");
        await page.GetByLabel("Reply").PressAsync("Enter");

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Yes, from 10 to 4."]}""", await send.WaitAsync(TimeSpan.FromSeconds(30)));
        await Expect(page.GetByLabel("Reply")).ToHaveValueAsync("");
    }

    [BrowserFact]
    public async Task ClosingTheConversationInTheConsoleEndsTheWaitingSend()
    {
        await OpenConsoleAsync();
        var send = PluginFactory.SendAsync(customer, "alice", "Hello?");
        await OpenConversationAsync("alice");

        await page.GetByRole(AriaRole.Button, new() { Name = "Close conversation" }).ClickAsync();

        var response = await send.WaitAsync(TimeSpan.FromSeconds(30));
        await JsonAssert.BodyEqualAsync("""{"status": "closed", "replies": []}""", response);
        await Expect(page.Locator("#state")).ToHaveTextAsync("closed");
        await Expect(page.GetByLabel("Reply")).ToBeDisabledAsync();
    }

    [BrowserFact]
    public async Task TheConsolesExampleCurlIsForThisServer()
    {
        await OpenConsoleAsync();

        await Expect(page.Locator("#example")).ToHaveTextAsync(
            $"curl -X POST {server.BaseAddress!.ToString().TrimEnd('/')}/send/alice -H 'Content-Type: application/json' -d '{{\"msg\": \"Hi, can a human help?\"}}'");
    }

    [BrowserFact]
    public async Task SwaggerUiShowsTheApiUnderItsTagWithoutADefinitionDropDown()
    {
        await page.GotoAsync(new Uri(server.BaseAddress!, "swagger/index.html").ToString());

        await Expect(page.GetByText("/send/{username}")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("#operations-tag-Agent")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator(".topbar").CountAsync());
        Assert.Equal(0, await page.GetByText("Select a definition").CountAsync());
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        customer.Dispose();
        await server.DisposeAsync();
    }

    [BrowserFact]
    public async Task AnMcpClientsQuestionIsMarkedViaMcpAndTheConsoleReplyIsItsToolResult()
    {
        await OpenConsoleAsync();
        await using var mcp = await McpConnection.ConnectAsync(new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) });
        var ask = mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Can a person help?", ["user"] = "claude-user" }).AsTask();

        var entry = page.Locator(".conversation-list button", new() { HasText = "claude-user" });
        await Expect(entry.Locator(".source.mcp")).ToHaveTextAsync("via MCP", new() { Timeout = 15_000 });
        await OpenConversationAsync("claude-user");
        await Expect(page.Locator("#source .source.mcp")).ToHaveTextAsync("via MCP");
        await Expect(page.Locator(".message.customer .who")).ToContainTextAsync("via MCP");
        await page.GetByLabel("Reply").FillAsync("Yes, I can help.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();

        var result = await ask.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["Yes, I can help."], result.Replies());
    }

    private async Task OpenConsoleAsync()
    {
        await page.GotoAsync(new Uri(server.BaseAddress!, "sandbox").ToString());
        await Expect(page.GetByText("No conversations yet.")).ToBeVisibleAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
    }

    /// <summary>Opens the customer's conversation once it shows up in the open console (live, without reloading).</summary>
    private async Task OpenConversationAsync(string customerName)
    {
        var entry = page.Locator(".conversation-list button", new() { HasText = customerName });
        await Expect(entry).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(entry.Locator(".unanswered")).ToBeVisibleAsync();
        await entry.ClickAsync();
        await Expect(page.Locator("#customer")).ToHaveTextAsync(customerName);
    }
}
