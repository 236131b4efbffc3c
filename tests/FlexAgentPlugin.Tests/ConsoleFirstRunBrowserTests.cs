using System.Net;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The console as a new user meets it, in a real browser at 1400×900: a customer written from the tour's own screen
/// reaches the agent whoever answers, a simulated call shows where the agent looks, each agent's replies are labelled as
/// theirs, a customer who writes again is one entry with their history, and the console's token leaves the address bar.
/// </summary>
public sealed class ConsoleFirstRunBrowserTests : IAsyncLifetime
{
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;
    private IPage page = null!;
    private PluginFactory? server;
    private HttpClient? customer;

    public async Task InitializeAsync()
    {
        (playwright, browser) = await Browser.LaunchAsync();
        page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
    }

    [BrowserFact]
    public async Task AMessageWrittenAsACustomerReachesThisConsoleWhenPeopleAnswer()
    {
        await OpenConsoleAsync(new Dictionary<string, string?> { ["RESPONDER"] = "human" });

        await page.GetByLabel("SMS number, whatsapp:+number or chat name").FillAsync("+15550123");
        await page.GetByLabel("Customer's message").FillAsync("Do you ship to Canada?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send as customer" }).ClickAsync();

        await Expect(page.Locator("#customer")).ToHaveTextAsync("+15550123");
        await Expect(page.Locator(".message.customer .bubble")).ToHaveTextAsync("Do you ship to Canada?");
        await Expect(page.Locator(".conversation-list button", new() { HasText = "+15550123" }).Locator(".unanswered")).ToBeVisibleAsync();
        await page.GetByLabel("Reply").FillAsync("Yes, in 5 to 8 days.");
        await page.GetByLabel("Reply").PressAsync("Enter");
        await Expect(page.Locator(".message.agent .bubble")).ToHaveTextAsync("Yes, in 5 to 8 days.");
        await Expect(page.Locator("#customer-error")).ToBeHiddenAsync();
        Assert.DoesNotContain(server!.Logs.Lines, l => l.Text.Contains("could not deliver a webhook", StringComparison.Ordinal));
    }

    [BrowserFact]
    public async Task AMessageTheConsoleCouldNotSendIsKeptAndTheReasonShown()
    {
        await OpenConsoleAsync();
        await page.RouteAsync("**/sandbox/api/channel-messages", route => route.FulfillAsync(new()
        {
            Status = 503, ContentType = "application/problem+json", Body = """{"status": 503, "detail": "The sandbox is restarting."}""",
        }));

        await page.GetByLabel("Customer's message").FillAsync("Is my parcel lost?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send as customer" }).ClickAsync();

        await Expect(page.Locator("#customer-error")).ToHaveTextAsync("Not sent: The sandbox is restarting.");
        await Expect(page.GetByLabel("Customer's message")).ToHaveValueAsync("Is my parcel lost?");
    }

    [BrowserFact]
    public async Task ASimulatedCallShowsInTheMainPaneWhereTheAgentLooks()
    {
        await OpenConsoleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate a call" }).ClickAsync();

        var pane = page.Locator("#call");
        await Expect(pane).ToBeVisibleAsync();
        await Expect(page.Locator("#call-state")).ToHaveTextAsync("in progress");
        var line = pane.Locator(".transcript").First;
        await Expect(line).ToContainTextAsync("How long does shipping take?", new() { Timeout = 20_000 });
        var sidebar = (await page.Locator(".queue").BoundingBoxAsync())!;
        var shown = (await line.BoundingBoxAsync())!;
        Assert.True(shown.X >= sidebar.X + sidebar.Width, $"The call's first line is at x={shown.X}, inside the list (which ends at {sidebar.X + sidebar.Width}).");
        Assert.True(shown.Y >= 0 && shown.Y + shown.Height <= 900, $"The call's first line is at y={shown.Y}, outside the 900-pixel window.");
        Assert.True(await line.IsVisibleAsync());
    }

    [BrowserFact]
    public async Task ACallThatDoesNotStartSaysSoBesideTheButton()
    {
        await OpenConsoleAsync();
        await page.RouteAsync("**/sandbox/api/calls", route => route.Request.Method == "POST"
            ? route.FulfillAsync(new() { Status = 503, ContentType = "application/problem+json", Body = """{"status": 503, "detail": "Voice assist is busy."}""" })
            : route.ContinueAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate a call" }).ClickAsync();

        await Expect(page.Locator("#call-error")).ToHaveTextAsync("The call did not start: Voice assist is busy.");
        Assert.True(await page.Locator("#call-error").IsVisibleAsync());
    }

    [BrowserFact]
    public async Task TheSimulatedAgentsRepliesAreLabelledAsItsAndNotAsYours()
    {
        await OpenConsoleAsync(new Dictionary<string, string?> { ["SANDBOX_AUTO_REPLY_SECONDS"] = "0" });

        var reply = await PluginFactory.SendAsync(customer!, "bob", "Anyone there?");
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        await page.Locator(".conversation-list button", new() { HasText = "bob" }).ClickAsync();
        await page.GetByLabel("Reply").FillAsync("I'm here too.");
        await page.GetByLabel("Reply").PressAsync("Enter");

        var replies = page.Locator(".message.agent .who");
        await Expect(replies).ToHaveCountAsync(2);
        await Expect(replies.First).ToContainTextAsync("Simulated agent");
        await Expect(replies.Nth(1)).ToContainTextAsync("You");
    }

    [BrowserFact]
    public async Task ACustomerWhoWritesAgainIsOneEntryThatShowsTheEarlierClosedConversation()
    {
        await OpenConsoleAsync();
        var first = PluginFactory.SendAsync(customer!, "alice", "Where is my order?");
        var entry = page.Locator(".conversation-list button", new() { HasText = "alice" });
        await entry.Locator(".unanswered").WaitForAsync();
        await entry.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Close conversation" }).ClickAsync();
        await JsonAssert.BodyEqualAsync("""{"status": "closed", "replies": []}""", await first.WaitAsync(TimeSpan.FromSeconds(30)));

        var again = PluginFactory.SendAsync(customer!, "alice", "Hello again, anyone?");
        await Expect(entry.Locator(".unanswered")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(entry).ToHaveCountAsync(1);
        await Expect(entry.Locator(".earlier-count")).ToHaveTextAsync("+1 earlier");
        await entry.ClickAsync();

        await Expect(page.Locator(".conversation-divider").First).ToContainTextAsync("Earlier conversation · closed");
        await Expect(page.Locator(".message.customer.earlier .bubble")).ToHaveTextAsync("Where is my order?");
        await Expect(page.Locator(".message.customer:not(.earlier) .bubble")).ToHaveTextAsync("Hello again, anyone?");
        await page.GetByLabel("Reply").FillAsync("Welcome back.");
        await page.GetByLabel("Reply").PressAsync("Enter");
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Welcome back."]}""", await again.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [BrowserFact]
    public async Task TheConsolesTokenLeavesTheAddressBarAfterTheFirstLoad()
    {
        server = PluginFactory.RealSandbox(consoleToken: true);
        var token = server.Services.GetRequiredService<SandboxSession>().Console.Token;
        Assert.NotNull(token);

        await page.GotoAsync(new Uri(server.BaseAddress!, $"sandbox?token={token}").ToString());
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");

        Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("token=", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(page.GetByText("No conversations yet.")).ToBeVisibleAsync();
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        customer?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    private async Task OpenConsoleAsync(Dictionary<string, string?>? settings = null)
    {
        server = PluginFactory.RealSandbox(new Dictionary<string, string?>(settings ?? []) { ["POLL_INTERVAL_SECONDS"] = "0.2" });
        customer = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await page.GotoAsync(new Uri(server.BaseAddress!, "sandbox").ToString());
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
    }
}
