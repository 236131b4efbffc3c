using System.Net;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Hosting;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// What the server makes of a .env file a person wrote: a syntax error named by its line and variable, never with a
/// value from the file; a name that is no setting (a slip of the keyboard) warned about at start with the closest one.
/// </summary>
public sealed partial class EnvFileTests
{
    private static readonly string[] NoSandboxArgs = ["--urls", "http://127.0.0.1:0"];

    [Theory]
    [InlineData("PLUGIN_BEARER_TOKEN=abc\"def-secret-tail-998877")]
    [InlineData("PLUGIN_BEARER_TOKEN=\"def-secret-tail-998877")]
    [InlineData("export PLUGIN_BEARER_TOKEN='def-secret-tail-998877'x'")]
    public async Task ASyntaxErrorNamesItsLineAndVariableAndNoValue(string badLine)
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-tests-").FullName;
        var env = Path.Combine(folder, ".env");
        await File.WriteAllTextAsync(env, $"SANDBOX=false\nAUTH_TOKEN=token-SECRETTAIL-4455\n{badLine}\nPOLL_INTERVAL_SECONDS=15\n");
        using var server = ServerProcess.Start(NoSandboxArgs, workingDirectory: folder);

        Assert.Equal(1, await server.ExitCodeAsync());
        var line = Assert.Single(server.Errors);
        Assert.StartsWith($"Configuration error: The settings file {env} has a line that is not NAME=value: line 3, the line that sets PLUGIN_BEARER_TOKEN.", line, StringComparison.Ordinal);
        var printed = string.Join("\n", server.Output.Concat(server.Errors));
        Assert.DoesNotContain("SECRETTAIL", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-tail", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALineWithNoNameIsToldByItsNumber()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-tests-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, ".env"), "SANDBOX=false\n\n# a comment\nsk-proj-pasted-key-0000\n");
        using var server = ServerProcess.Start(NoSandboxArgs, workingDirectory: folder);

        Assert.Equal(1, await server.ExitCodeAsync());
        var line = Assert.Single(server.Errors);
        Assert.Contains("line 4, a line that does not start with NAME=.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("pasted-key", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMisspeltSettingIsWarnedAboutAtStartNamingTheClosestOne()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-tests-").FullName;
        var env = Path.Combine(folder, ".env");
        await File.WriteAllTextAsync(env, "SANDBOX=false\nPLUGIN_BEARER_TOKN=token-0123456789abcdef\nRATE_LIMIT_PER_USER=30\nLogging__LogLevel__Default=Information\n");
        using var server = ServerProcess.Start(NoSandboxArgs, workingDirectory: folder);

        await server.WaitForOutputAsync(l => l.Contains("FlexAgentPlugin started", StringComparison.Ordinal));
        var warning = await server.WaitForOutputAsync(l => l.Contains("is not a setting of this server", StringComparison.Ordinal));

        Assert.Contains($"PLUGIN_BEARER_TOKN in {env} is not a setting of this server, so it is ignored: did you mean PLUGIN_BEARER_TOKEN?", warning, StringComparison.Ordinal);
        Assert.Single(server.Output, l => l.Contains("is not a setting of this server", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Output, l => l.Contains("token-0123456789abcdef", StringComparison.Ordinal));
    }

    [Fact]
    public void ANameNothingLikeASettingGetsNoSuggestion()
    {
        var known = SettingNames.Known([typeof(StartReport).Assembly, typeof(SandboxSettings).Assembly], SandboxSettings.Variables);

        Assert.Equal("PLUGIN_BEARER_TOKEN", SettingNames.Closest("PLUGIN_BEARER_TOKN", known));
        Assert.Equal("REPLY_TIMEOUT_SECONDS", SettingNames.Closest("reply_timeout_second", known));
        Assert.Null(SettingNames.Closest("MY_FAVOURITE_COLOUR", known));
    }

    [Fact]
    public void EveryNameInTheExampleSettingsIsASettingOfThisServer()
    {
        var known = SettingNames.Known([typeof(StartReport).Assembly, typeof(SandboxSettings).Assembly], SandboxSettings.Variables);
        var names = File.ReadAllLines(Repository.PathOf(".env.example"))
            .Select(line => ExampleName().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups["name"].Value)
            .ToList();

        Assert.True(names.Count > 40, $"Only {names.Count} names were found in .env.example.");
        Assert.DoesNotContain(names, name => !SettingNames.IsKnown(name, known));
    }

    [Fact]
    public async Task AspNetCoreUrlsInEnvSetsTheListeningAddressAsInTheEnvironment()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-tests-").FullName;
        var address = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await File.WriteAllTextAsync(Path.Combine(folder, ".env"), $"SANDBOX=false\nASPNETCORE_URLS={address}\n");
        using var server = ServerProcess.Start([], workingDirectory: folder);

        await server.WaitForOutputAsync(l => l.Contains("FlexAgentPlugin started", StringComparison.Ordinal));
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.DoesNotContain(server.Output, l => l.Contains("is not a setting of this server", StringComparison.Ordinal));
    }

    /// <summary>A setting in .env.example, set or commented out for the user to set (<c># NAME=value</c>).</summary>
    [GeneratedRegex(@"^#?\s*(?<name>[A-Z][A-Z0-9_]*)=")]
    private static partial Regex ExampleName();
}
