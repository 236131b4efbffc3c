using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// The agents' Flex plugin's test page (<c>flex-plugin/e2e</c>: <c>harness.html</c> and the bundle
/// <c>dist/harness.js</c> built by <c>npm run build:harness</c>), served over HTTP on a loopback port of its own, as
/// Flex UI serves plugins from an origin other than the server's.
/// </summary>
public sealed class PluginHarness : IAsyncDisposable
{
    public const string BuildCommand = "cd flex-plugin && npm ci && npm run build:harness";

    private readonly WebApplication app;

    private PluginHarness(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public static string Folder => Repository.PathOf(Path.Combine("flex-plugin", "e2e"));

    public static bool IsBuilt => File.Exists(Path.Combine(Folder, "dist", "harness.js"));

    public Uri BaseAddress { get; }

    /// <summary>The page's origin, as FLEX_UI_ORIGINS must name it.</summary>
    public string Origin => BaseAddress.GetLeftPart(UriPartial.Authority);

    public static async Task<PluginHarness> StartAsync()
    {
        Assert.True(IsBuilt, $"The Flex plugin's test page is not built ({Path.Combine(Folder, "dist", "harness.js")} is missing): run `{BuildCommand}`.");
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Folder) });
        await app.StartAsync();
        return new PluginHarness(app, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>The page's address for the server at <paramref name="server"/>, signed in with <paramref name="token"/>.</summary>
    public string PageFor(Uri server, string token, string? callSid = null, string? conversationSid = null, bool assistClosed = false) =>
        new Uri(BaseAddress, "harness.html").ToString()
        + $"?server={Uri.EscapeDataString(server.ToString().TrimEnd('/'))}&token={Uri.EscapeDataString(token)}"
        + (callSid is null ? "" : $"&callSid={callSid}")
        + (conversationSid is null ? "" : $"&conversationSid={conversationSid}")
        + (assistClosed ? "&assist=closed" : "");

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A browser test of the plugin's test page: skipped where Chromium or the built page is missing, unless browser tests
/// are required (then it fails, naming what to install or build).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PluginBrowserFactAttribute : FactAttribute
{
    public PluginBrowserFactAttribute()
    {
        if (Browser.Required)
        {
            return;
        }

        if (!Browser.Available)
        {
            Skip = $"Chromium is not installed at {Browser.ExecutablePath}: apt-get install chromium (.ci/run does, and requires these tests).";
        }
        else if (!PluginHarness.IsBuilt)
        {
            Skip = $"The Flex plugin's test page is not built: run `{PluginHarness.BuildCommand}` (.ci/run does, and requires these tests).";
        }
    }
}
