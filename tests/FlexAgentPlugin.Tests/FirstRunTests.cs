using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests;

/// <summary>What a new user meets in the first minutes: every mistake in one sentence, a start that says how it is set up, a quick stop.</summary>
public sealed class FirstRunTests
{
    private static readonly string[] NoSandboxArgs = ["--urls", "http://127.0.0.1:0"];
    private static readonly Dictionary<string, string> NoSandbox = new() { ["SANDBOX"] = "false" };

    [Fact]
    public void TheExampleSettingsLeaveTheDatabasePathToTheImage()
    {
        var example = File.ReadAllLines(Repository.PathOf(".env.example"));

        Assert.DoesNotContain(example, line => line.TrimStart().StartsWith("DATABASE_PATH=", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryFileTheReadmesExamplesNameIsInTheRepository()
    {
        var readme = File.ReadAllText(Repository.PathOf("README.md"));
        var named = Regex.Matches(readme, @"\b(AI_KNOWLEDGE_PATH|AI_INSTRUCTIONS_FILE)=(?<path>[^\s`]+)").Select(m => m.Groups["path"].Value).ToList();

        Assert.NotEmpty(named);
        Assert.All(named, path => Assert.True(Path.Exists(Repository.PathOf(path)), $"README names {path}, which is not in the repository."));
    }

    [Fact]
    public void TheReadmeSaysBesideTheTestCommandWhenThePostgresTestsSkip()
    {
        var readme = File.ReadAllText(Repository.PathOf("README.md"));
        var firstSection = readme[..readme.IndexOf("\n## ", StringComparison.Ordinal)];

        Assert.Contains("dotnet test FlexAgentPlugin.sln", firstSection, StringComparison.Ordinal);
        Assert.Matches(@"skipped unless\s+`FLEXAGENT_TEST_POSTGRES`", firstSection);
    }

    [Fact]
    public async Task ADatabasePathThatIsAFolderStopsTheStartNamingTheVariable()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-tests-").FullName;
        using var server = ServerProcess.Start(NoSandboxArgs, new Dictionary<string, string>(NoSandbox) { ["DATABASE_PATH"] = folder });

        Assert.Equal(1, await server.ExitCodeAsync());
        var line = Assert.Single(server.Errors);
        Assert.StartsWith("Configuration error: DATABASE_PATH must name a file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabasePathThatCannotBeWrittenStopsTheStartNamingTheVariable()
    {
        var file = Path.GetTempFileName();
        using var server = ServerProcess.Start(NoSandboxArgs, new Dictionary<string, string>(NoSandbox) { ["DATABASE_PATH"] = Path.Combine(file, "convs.db") });

        Assert.Equal(1, await server.ExitCodeAsync());
        var line = Assert.Single(server.Errors);
        Assert.StartsWith("Configuration error: DATABASE_PATH (", line, StringComparison.Ordinal);
        Assert.Contains("cannot be opened for writing", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABearerTokenThatIsTooShortStopsTheStartInOneSentence()
    {
        using var server = ServerProcess.Start(NoSandboxArgs, new Dictionary<string, string>(NoSandbox) { ["PLUGIN_BEARER_TOKEN"] = "short" });

        Assert.Equal(1, await server.ExitCodeAsync());
        Assert.Equal(["Configuration error: PLUGIN_BEARER_TOKEN must be at least 16 characters (e.g. openssl rand -hex 32)."], server.Errors);
        Assert.DoesNotContain(server.Output, line => line.Contains("PLUGIN_BEARER_TOKEN is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMalformedEnvFileStopsTheStartNamingTheFile()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-tests-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, ".env"), "SANDBOX=false\nPOLL_INTERVAL_SECONDS=\"15\nOTHER='x\n");
        using var server = ServerProcess.Start(NoSandboxArgs, workingDirectory: folder);

        Assert.Equal(1, await server.ExitCodeAsync());
        var line = Assert.Single(server.Errors);
        Assert.StartsWith($"Configuration error: The settings file {Path.Combine(folder, ".env")} has a line that is not NAME=value", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAddressAlreadyInUseStopsTheStartNamingItAndTheWayOut()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        using var server = ServerProcess.Start(["--urls", address], NoSandbox);

        Assert.Equal(1, await server.ExitCodeAsync());
        Assert.Equal([$"Configuration error: {address} is already in use by another program: stop it, or start this server on another address with --urls (for example --urls http://localhost:5003)."], server.Errors);
    }

    [Fact]
    public async Task TheStartLineNamesTheEnvFileThatWasRead()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-tests-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, ".env"), "SANDBOX=false\n");
        using var server = ServerProcess.Start(NoSandboxArgs, workingDirectory: folder);

        var line = await server.WaitForOutputAsync(l => l.Contains("FlexAgentPlugin started", StringComparison.Ordinal));

        Assert.Contains($"settings: {Path.Combine(folder, ".env")}", line, StringComparison.Ordinal);
        Assert.Contains("Twilio: no Twilio account (SANDBOX=false)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppingTheServerWithTheConsoleOpenTakesSecondsNotHalfAMinute()
    {
        var address = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        using var server = ServerProcess.Start(["--urls", address]);
        await server.WaitForOutputAsync(l => l.Contains("FlexAgentPlugin started", StringComparison.Ordinal));
        using var console = new HttpClient { BaseAddress = new Uri(address) };
        using var stream = await console.GetAsync("/sandbox/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("event: changed", await events.ReadLineAsync());

        var took = await server.StopAsync();

        Assert.True(took < TimeSpan.FromSeconds(10), $"The stop took {took.TotalSeconds:F1} s.");
    }

    [Fact]
    public async Task TheStartLineSaysHowTheServerIsSetUp()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = "https://abc123.ngrok.app" });
        factory.CreateClient();

        var line = Assert.Single(factory.Logs.Lines, l => l.Text.StartsWith("FlexAgentPlugin started", StringComparison.Ordinal)).Text;

        Assert.Contains("Twilio: Twilio account AC…cdef", line, StringComparison.Ordinal);
        Assert.Contains("routing: studio", line, StringComparison.Ordinal);
        Assert.Contains("public URL: https://abc123.ngrok.app", line, StringComparison.Ordinal);
        Assert.Contains("webhooks: on", line, StringComparison.Ordinal);
        Assert.Contains("API: open", line, StringComparison.Ordinal);
        Assert.Contains("sign-in: built-in (phone or email by Twilio Verify), issuer https://abc123.ngrok.app/; clients: dynamic registration, metadata documents, 0 configured",
            line, StringComparison.Ordinal);
        Assert.Single(factory.Logs.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("/mcp needs a sign-in", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("44.5")]
    [InlineData("45")]
    [InlineData("0")]
    public void AReplyTimeoutGptActionsWouldNotWaitForIsWarnedAboutAtStart(string seconds)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["REPLY_TIMEOUT_SECONDS"] = seconds });
        factory.CreateClient();

        Assert.Single(factory.Logs.Lines, l => l.Level == LogLevel.Warning && l.Text.StartsWith($"REPLY_TIMEOUT_SECONDS is {seconds}:", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDefaultReplyTimeoutIsNotWarnedAbout()
    {
        using var factory = new PluginFactory();
        factory.CreateClient();

        Assert.DoesNotContain(factory.Logs.Lines, l => l.Text.StartsWith("REPLY_TIMEOUT_SECONDS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoppingTheServerEndsTheConsolesEventStream()
    {
        using var factory = PluginFactory.Sandbox();
        using var stream = await factory.CreateClient().GetAsync("/sandbox/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("event: changed", await events.ReadLineAsync());

        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var rest = await events.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("event: changed", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConsolesExampleIsForThisServerAndOnOneLine()
    {
        using var factory = PluginFactory.Sandbox();
        var client = factory.CreateClient();

        var page = await client.GetStringAsync("/sandbox/");
        var script = await client.GetStringAsync("/sandbox/console.js");

        Assert.DoesNotContain("localhost:5002", page, StringComparison.Ordinal);
        Assert.DoesNotContain("\\\n", page, StringComparison.Ordinal);
        Assert.Contains("curl -X POST ${location.origin}/send/alice", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepliesAfterTheConversationIsGoneAnswerClosedAndTheNextMessageStartsANewOne()
    {
        using var factory = new PluginFactory();
        var client = factory.CreateClient();
        factory.Twilio.AutoReply = true;
        await factory.SendAndWaitAsync(client, "alice", "Hi");
        var gone = factory.Twilio.Conversations.Single().Sid;
        factory.Twilio.Delete(gone);

        var replies = await client.GetAsync("/replies/alice");
        var next = await factory.SendAndWaitAsync(client, "alice", "Hello again");

        await JsonAssert.BodyEqualAsync("""{"status": "closed", "replies": []}""", replies);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.NotEqual(gone, Assert.Single(factory.Twilio.Conversations).Sid);
        Assert.Equal(["Hello again"], factory.Twilio.Conversations.Single().Messages.Where(m => !m.FromAgent).Select(m => m.Body));
    }
}
