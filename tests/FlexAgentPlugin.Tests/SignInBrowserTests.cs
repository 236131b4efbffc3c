using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Playwright;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Microsoft.Playwright.Assertions;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The sign-in pages in Chromium, on the sandbox's real port: a person signs in with the keyboard alone, reading the code
/// from the console (where the sandbox's codes appear, marked as never sent), sees the client named on the consent page
/// with the host it returns to, and approves it; no script is loaded on the way.
/// </summary>
public sealed partial class SignInBrowserTests : IAsyncLifetime
{
    private readonly PluginFactory server = PluginFactory.RealSandbox();

    /// <summary>The client's redirect URI: a loopback listener, as a desktop client's.</summary>
    private readonly WireMockServer app = WireMockServer.Start();
    private HttpClient http = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    public async Task InitializeAsync()
    {
        http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        (playwright, browser) = await Browser.LaunchAsync();
    }

    [BrowserFact]
    public async Task APersonSignsInWithTheKeyboardAloneAndApprovesTheClientByName()
    {
        using var registered = await http.PostAsJsonAsync("/oauth/register", new { client_name = "Claude", redirect_uris = new[] { Redirect } });
        var clientId = (string)(await registered.Content.ReadFromJsonAsync<JsonObject>())!["client_id"]!;
        var pkce = Pkce.Create();
        var page = await browser.NewPageAsync();
        var scripts = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.ResourceType == "script")
            {
                scripts.Add(request.Url);
            }
        };
        app.Given(Request.Create().WithPath("/callback").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("Back in the app."));

        await page.GotoAsync(new Uri(server.BaseAddress!, SignInFlow.AuthorizeQuery(clientId, pkce, redirect: Redirect, resource: Base + "/mcp")).ToString());
        await Expect(page).ToHaveTitleAsync(new Regex("^Sign in with your phone or email"));
        await Expect(page.GetByLabel("Phone number (with +country code) or email")).ToBeVisibleAsync();

        // A mistake first: it is announced and tied to the field, which keeps the focus order.
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("12345");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("country code");
        var field = page.GetByLabel("Phone number (with +country code) or email");
        await Expect(field).ToHaveAttributeAsync("aria-invalid", "true");

        await field.FocusAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("+1 555 123 0001");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveTitleAsync(new Regex("^Enter your code"));
        await Expect(page.GetByText("We sent a code to +15551230001")).ToBeVisibleAsync();

        // The code, as the person finds it in the sandbox's console.
        var console = await browser.NewPageAsync();
        await console.GotoAsync(new Uri(server.BaseAddress!, "sandbox").ToString());
        await Expect(console.GetByRole(AriaRole.Heading, new() { Name = "Sign-in codes (sandbox only — never sent)" })).ToBeVisibleAsync();
        var entry = console.Locator(".sign-in-code", new() { HasText = "+15551230001" });
        await Expect(entry.Locator(".code")).ToHaveTextAsync(new Regex("^[0-9]{6}$"));
        var code = await entry.Locator(".code").InnerTextAsync();

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Code")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(code);
        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveTitleAsync(new Regex("^Allow this app?"));
        await Expect(page.Locator(".client")).ToHaveTextAsync("Claude");
        await Expect(page.GetByText($"127.0.0.1:{app.Port}", new() { Exact = true })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Allow" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new Regex("/callback\\?code="));
        var callback = page.Url;

        Assert.Empty(scripts);
        var tokens = await http.PostAsync("/oauth/token", new FormUrlEncodedContent([
            new("grant_type", "authorization_code"), new("code", SignInFlow.Code(new Uri(callback))), new("redirect_uri", Redirect),
            new("client_id", clientId), new("code_verifier", pkce.Verifier), new("resource", Base + "/mcp"),
        ]));
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
    }

    private string Base => server.BaseAddress!.ToString().TrimEnd('/');

    private string Redirect => $"http://127.0.0.1:{app.Port}/callback";

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        http.Dispose();
        app.Dispose();
        await server.DisposeAsync();
    }
}
