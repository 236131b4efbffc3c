using Microsoft.Playwright;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (never Playwright's own browser download). Where Chromium is not
/// installed the browser tests are skipped, unless <c>BROWSER_TESTS=required</c> (set by .ci/run) makes
/// them fail instead, so CI can never pass without running them.
/// </summary>
public static class Browser
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Required => Environment.GetEnvironmentVariable("BROWSER_TESTS") == "required";

    public static bool Available => File.Exists(ExecutablePath);

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assert.True(Available, $"Chromium is not installed at {ExecutablePath} (apt-get install chromium, or set CHROMIUM_PATH).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return (playwright, browser);
    }
}

/// <summary>A test that needs a real browser: skipped where Chromium is missing, unless browser tests are required.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Browser.Available && !Browser.Required)
        {
            Skip = $"Chromium is not installed at {Browser.ExecutablePath}: apt-get install chromium (.ci/run does, and requires these tests).";
        }
    }
}
