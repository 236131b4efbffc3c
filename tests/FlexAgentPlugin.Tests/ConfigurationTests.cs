using FlexAgentPlugin.Backends;
using FlexAgentPlugin.Backends.Sqlite;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Backends.OpenAi;
using FlexAgentPlugin.Core.Exchanges;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Doors.AgentDesk;
using FlexAgentPlugin.Doors.AiResponder;
using FlexAgentPlugin.Doors.Handover;
using FlexAgentPlugin.Doors.Mcp;
using FlexAgentPlugin.Doors.PhoneAi;
using FlexAgentPlugin.Doors.PluginFiles;
using FlexAgentPlugin.Doors.Voice;
using FlexAgentPlugin.Doors.TwilioEvents;
using FlexAgentPlugin.Doors.VoiceAssistFunctions;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.OAuth;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void APostgresUrlsQuerySetsConnectionOptionsSuchAsThePoolSizeAndSslMode()
    {
        var parsed = FlexAgentPlugin.Backends.Postgres.PostgresOptions.Parse("postgres://flex%40agent:p%3Ass@db:5433/flexagent?sslmode=require&Maximum%20Pool%20Size=40");

        Assert.NotNull(parsed);
        Assert.Equal(("db", 5433, "flexagent", "flex@agent", "p:ss"), (parsed.Host, parsed.Port, parsed.Database, parsed.Username, parsed.Password));
        Assert.Equal((Npgsql.SslMode.Require, 40), (parsed.SslMode, parsed.MaxPoolSize));
    }

    [Theory]
    [InlineData("ACCOUNT_SID", "XY0123456789abcdef0123456789abcdef")]
    [InlineData("ACCOUNT_SID", "AC123")]
    [InlineData("CONV_FLOW", "WF0123456789abcdef0123456789abcdef")]
    [InlineData("POLL_INTERVAL_SECONDS", "soon")]
    [InlineData("POLL_INTERVAL_SECONDS", "0")]
    [InlineData("REPLY_TIMEOUT_SECONDS", "-1")]
    [InlineData("REPLY_TIMEOUT_SECONDS", "forty")]
    [InlineData("PUBLIC_BASE_URL", "abc123.ngrok.app")]
    [InlineData("TWILIO_CONVERSATIONS_BASE_URL", "ftp://conversations.twilio.com")]
    [InlineData("TWILIO_FLEX_BASE_URL", "not a url")]
    [InlineData("TWILIO_API_KEY", "SK0123456789abcdef0123456789abcdef")]
    [InlineData("TWILIO_API_KEY", "AK0123456789abcdef0123456789abcdef")]
    [InlineData("DATABASE_PATH", " ")]
    [InlineData("SANDBOX", "maybe")]
    [InlineData("SANDBOX_AUTO_REPLY_SECONDS", "-1")]
    [InlineData("FLEX_WORKSPACE_SID", "WW0123456789abcdef0123456789abcdef")]
    [InlineData("FLEX_WORKFLOW_SID", "WS0123456789abcdef0123456789abcdef")]
    [InlineData("ROUTING_MODE", "flex")]
    [InlineData("HANDOVER_TOKEN", "short")]
    [InlineData("RESPONDER", "robots")]
    [InlineData("AI_API", "assistants")]
    [InlineData("AI_BASE_URL", "localhost:11434")]
    [InlineData("AI_MODEL", "gpt 5")]
    [InlineData("AI_TIMEOUT_SECONDS", "0")]
    [InlineData("AI_TIMEOUT_SECONDS", "soon")]
    [InlineData("OPENAI_REALTIME_URL", "https://api.openai.com/v1/realtime")]
    [InlineData("VOICE_MODEL", "gpt realtime")]
    [InlineData("VOICE_MAX_CALLS", "0")]
    [InlineData("SYNC_SERVICE_SID", "IS123")]
    [InlineData("VOICE_AGENT_KEYS", "desk")]
    [InlineData("VOICE_AGENT_KEYS", "desk=short")]
    [InlineData("TWILIO_API_BASE_URL", "api.twilio.com")]
    [InlineData("TWILIO_SYNC_BASE_URL", "sync")]
    [InlineData("DATABASE_URL", "Port=5432")]
    [InlineData("OAUTH", "maybe")]
    [InlineData("VERIFY_SERVICE_SID", "VA123")]
    [InlineData("VERIFY_SERVICE_SID", "IS0123456789abcdef0123456789abcdef")]
    [InlineData("TWILIO_VERIFY_BASE_URL", "verify.twilio.com")]
    public void MalformedSettingStopsTheStartNamingTheVariable(string variable, string value)
    {
        var failures = StartFailures(new Dictionary<string, string?> { [variable] = value });

        Assert.Contains(failures, f => f.Contains(variable, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PUBLIC_BASE_URL", "http://plugin.example.com", "", "PUBLIC_BASE_URL must be https for sign-in")]
    [InlineData("PUBLIC_BASE_URL", "https://plugin.example.com", "VERIFY_SERVICE_SID", "VERIFY_SERVICE_SID must be set for sign-in")]
    [InlineData("OAUTH", "on", "", "Sign-in needs the server's public URL, which tokens are issued for: set PUBLIC_BASE_URL")]
    [InlineData("OAUTH_AUTHORITY", "https://login.example.com/", "", "Sign-in needs the server's public URL")]
    [InlineData("OAUTH_CLIENTS", "chatgpt|secret|https://chatgpt.com/connector_platform_oauth_redirect|mcp", "", "OAUTH_CLIENTS lists clients of the built-in sign-in, which is off")]
    public void SignInThatCannotWorkStopsTheStartInOneSentence(string variable, string value, string cleared, string sentence)
    {
        var settings = new Dictionary<string, string?> { [variable] = value };
        if (cleared.Length > 0)
        {
            settings[cleared] = "";
        }

        var failures = StartFailures(settings);

        Assert.Contains(failures, f => f.StartsWith(sentence, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("OAUTH_AUTHORITY", "http://login.example.com/")]
    [InlineData("OAUTH_CLIENTS", "chatgpt|short|https://chatgpt.com/connector_platform_oauth_redirect|mcp")]
    [InlineData("OAUTH_CLIENTS", "my-gpt||https://chat.openai.com/aip/g-1/oauth/callback|api")]
    [InlineData("OAUTH_CLIENTS", "chatgpt|0123456789abcdef0123|http://chatgpt.com/callback|mcp")]
    [InlineData("OAUTH_CLIENTS", "chatgpt|0123456789abcdef0123|https://chatgpt.com/cb|assistant")]
    [InlineData("OAUTH_CLIENTS", "dcr_mine|0123456789abcdef0123|https://chatgpt.com/cb|mcp")]
    [InlineData("OAUTH_CLIENTS", "a|b")]
    public void AMalformedSignInSettingWithAPublicUrlNamesTheVariable(string variable, string value)
    {
        var failures = StartFailures(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = "https://plugin.example.com", [variable] = value });

        Assert.Contains(failures, f => f.StartsWith(variable, StringComparison.Ordinal));
    }

    [Fact]
    public void AiFirstWithoutAModelStopsTheStartNamingTheKey()
    {
        var failures = StartFailures(new Dictionary<string, string?> { ["RESPONDER"] = "ai-first" });

        Assert.Equal(["RESPONDER=ai-first needs a model: set OPENAI_API_KEY (or AI_BASE_URL for an OpenAI-compatible server of your own)."], failures);
    }

    [Theory]
    [InlineData("AI_KNOWLEDGE_PATH", "no/such/knowledge")]
    [InlineData("AI_INSTRUCTIONS_FILE", "no/such/instructions.md")]
    public async Task AMissingAssistantFileStopsTheServerProcessNamingTheSetting(string variable, string path)
    {
        using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["SANDBOX"] = "false",
            ["ACCOUNT_SID"] = PluginFactory.AccountSid,
            ["AUTH_TOKEN"] = PluginFactory.AuthToken,
            ["CONV_FLOW"] = PluginFactory.FlowSid,
            ["DATABASE_PATH"] = Path.Combine(Path.GetTempPath(), "flexagent-tests", Guid.NewGuid().ToString("N"), "convs.db"),
            ["RESPONDER"] = "ai-first",
            ["OPENAI_API_KEY"] = FakeOpenAi.ApiKey,
            [variable] = path,
        });

        Assert.Equal(1, await server.ExitCodeAsync());
        var error = Assert.Single(server.Errors);
        Assert.StartsWith($"Configuration error: {variable} ({path})", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableDatabaseStopsTheStartNamingDatabaseUrlAndTheHostButNeverThePassword()
    {
        using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["SANDBOX"] = "false",
            ["ACCOUNT_SID"] = PluginFactory.AccountSid,
            ["AUTH_TOKEN"] = PluginFactory.AuthToken,
            ["CONV_FLOW"] = PluginFactory.FlowSid,
            ["DATABASE_URL"] = "postgres://flexagent:not-this-secret@127.0.0.1:1/flexagent",
        });

        Assert.Equal(1, await server.ExitCodeAsync());
        var error = Assert.Single(server.Errors);
        Assert.StartsWith("Configuration error: DATABASE_URL's database at 127.0.0.1:1/flexagent cannot be used", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-this-secret", string.Join("\n", server.Errors.Concat(server.Output)), StringComparison.Ordinal);
    }

    [Fact]
    public void CredentialsWithNeitherRoutingStopTheStartNamingBothChoices()
    {
        var failures = StartFailures(new Dictionary<string, string?> { ["CONV_FLOW"] = "" });

        Assert.Equal([RoutingSetup.Neither], failures);
    }

    [Theory]
    [InlineData("interactions", "", "", "ROUTING_MODE=interactions needs FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID.")]
    [InlineData("studio", PluginFactory.WorkspaceSid, PluginFactory.WorkflowSid, "ROUTING_MODE=studio needs CONV_FLOW, the Studio flow (FW…) that sends conversations to Flex.")]
    [InlineData("", PluginFactory.WorkspaceSid, "", "FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID must be set together.")]
    public void RoutingModeWithoutItsSettingsStopsTheStart(string mode, string workspace, string workflow, string failure)
    {
        var failures = StartFailures(new Dictionary<string, string?>
        {
            ["ROUTING_MODE"] = mode,
            ["CONV_FLOW"] = "",
            ["FLEX_WORKSPACE_SID"] = workspace,
            ["FLEX_WORKFLOW_SID"] = workflow,
        });

        Assert.Contains(failure, failures);
    }

    [Fact]
    public void AccountSidWithoutATokenStopsTheStart()
    {
        var failures = StartFailures(new Dictionary<string, string?> { ["AUTH_TOKEN"] = "" });

        Assert.Contains(failures, f => f.StartsWith("AUTH_TOKEN", StringComparison.Ordinal));
    }

    [Fact]
    public void SandboxWithoutAFixedPortStopsTheStart()
    {
        var failures = StartFailures(new Dictionary<string, string?>
        {
            ["ACCOUNT_SID"] = "",
            ["AUTH_TOKEN"] = "",
            ["urls"] = "http://127.0.0.1:0",
        });

        Assert.Equal(["The sandbox needs a fixed http port to reach its own Twilio emulator: set --urls or ASPNETCORE_URLS to e.g. http://localhost:5002."], failures);
    }

    [Fact]
    public void ValidSettingsStartTheServer()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["POLL_INTERVAL_SECONDS"] = "2.5",
            ["PUBLIC_BASE_URL"] = "https://abc123.ngrok.app",
            ["HOSTNAME"] = "a-container-name",
        });

        Assert.NotNull(factory.CreateClient());
    }

    [Fact]
    public async Task ServerProcessExplainsAConfigurationMistakeInOneSentence()
    {
        using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["SANDBOX"] = "false",
            ["POLL_INTERVAL_SECONDS"] = "soon",
        });

        Assert.Equal(1, await server.ExitCodeAsync());
        Assert.Equal(["Configuration error: POLL_INTERVAL_SECONDS must be a number, but it is 'soon'."], server.Errors);
    }

    /// <summary>
    /// The sentences the start gives for <paramref name="overrides"/> on top of a valid configuration: the sandbox's
    /// decision, then every capability's settings validation. (The test host cannot observe a failed start: Program
    /// ends it itself, as the process tests show.)
    /// </summary>
    internal static IReadOnlyList<string> StartFailures(Dictionary<string, string?> overrides)
    {
        var settings = PluginFactory.ValidSettings(Path.Combine(Path.GetTempPath(), "unused.db"), overrides);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddExchange().AddTwilio().AddOpenAi().AddStore(configuration).AddAccess();
        services.AddPluginFiles().AddMcp().AddConversationEvents().AddAiResponder().AddHandover().AddVoice().AddVoiceAssistFunctions().AddAgentDesk().AddPhoneAi();
        var composing = Record.Exception(() => services.AddOAuth(configuration, sandboxBaseUrl: null));
        using var provider = services.BuildServiceProvider();

        var error = composing ?? Record.Exception(() => provider.GetRequiredService<IStartupValidator>().Validate());

        IReadOnlyList<string> failures = [.. SandboxSwitch.Decide(configuration).Refusals,
            .. error is null ? [] : global::FlexAgentPlugin.Configuration.StartFailures.Explain(error)];
        Assert.NotEmpty(failures);
        return failures;
    }
}
