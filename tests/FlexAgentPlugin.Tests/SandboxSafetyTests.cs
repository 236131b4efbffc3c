using System.Net;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The sandbox lets whoever reaches its console read and answer users' messages, so without an account it starts on
/// its own only on loopback; elsewhere it needs SANDBOX=true, and then its console needs the token printed at start.
/// </summary>
public sealed class SandboxSafetyTests
{
    private static readonly Dictionary<string, string?> NoAccount = new() { ["ACCOUNT_SID"] = "", ["AUTH_TOKEN"] = "" };

    [Theory]
    [InlineData("http://localhost:5002")]
    [InlineData("http://127.0.0.1:5002")]
    [InlineData("http://[::1]:5002")]
    [InlineData("http://localhost:5002;http://127.0.0.1:5003")]
    public void WithoutAnAccountTheSandboxStartsOnItsOwnOnLoopback(string urls)
    {
        var decision = SandboxSwitch.Decide(Configuration(new() { ["urls"] = urls }));

        Assert.True(decision.On);
        Assert.False(decision.NeedsConsoleToken);
        Assert.Empty(decision.Refusals);
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:5002")]
    [InlineData("urls", "http://*:5002")]
    [InlineData("urls", "http://localhost:5002;http://192.168.1.20:5002")]
    [InlineData("http_ports", "5002")]
    public void WithoutAnAccountAnAddressOthersCanReachStopsTheStartNamingAccountSidAndSandbox(string setting, string value)
    {
        var failures = ConfigurationTests.StartFailures(new Dictionary<string, string?>(NoAccount) { [setting] = value, ["CONV_FLOW"] = "" });

        var failure = Assert.Single(failures);
        Assert.Contains("ACCOUNT_SID", failure, StringComparison.Ordinal);
        Assert.Contains("SANDBOX=true", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServerProcessRefusesToRunTheSandboxOnAllInterfacesInOneSentence()
    {
        using var server = ServerProcess.Start(["--urls", "http://0.0.0.0:0"]);

        Assert.Equal(1, await server.ExitCodeAsync());
        var line = Assert.Single(server.Errors);
        Assert.StartsWith("Configuration error: No Twilio account is configured (ACCOUNT_SID)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SandboxTrueOnAnAddressOthersCanReachRequiresTheConsoleToken()
    {
        using var factory = PluginFactory.Sandbox(new Dictionary<string, string?> { ["SANDBOX"] = "true", ["urls"] = "http://0.0.0.0:5002" });
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var token = factory.Services.GetRequiredService<SandboxSession>().Console.Token;

        var page = await client.GetAsync("/sandbox/");
        var queue = await client.GetAsync("/sandbox/api/conversations");
        var wrong = await client.GetAsync("/sandbox/?token=not-the-token");

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, queue.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.NotNull(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/sandbox/?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/sandbox/api/conversations")).StatusCode);
        Assert.Single(factory.Logs.Lines, l => l.Text.Contains($"http://localhost:5002/sandbox?token={token}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnLoopbackTheConsoleNeedsNoToken()
    {
        using var factory = PluginFactory.Sandbox();

        var response = await factory.CreateClient().GetAsync("/sandbox/api/conversations");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(factory.Services.GetRequiredService<SandboxSession>().Console.Token);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(NoAccount).Concat(settings)).Build();
}
