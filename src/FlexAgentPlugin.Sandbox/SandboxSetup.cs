using FlexAgentPlugin.Sandbox.Console;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Sandbox.StandIn;
using Microsoft.Extensions.FileProviders;

namespace FlexAgentPlugin.Sandbox;

/// <summary>What a running sandbox tells its host: the emulated account, where its APIs are, and the console's URL.</summary>
public sealed record SandboxSession(SandboxAccount Account, string SelfBaseUrl, ConsoleAccess Console)
{
    /// <summary>The stand-in Realtime API (a WebSocket on this server).</summary>
    public string RealtimeUrl => "ws://" + SelfBaseUrl[(SelfBaseUrl.IndexOf("://", StringComparison.Ordinal) + 3)..] + SandboxAccount.ModelPath + "/realtime";

    /// <summary>The stand-in model's sample knowledge, beside the binary.</summary>
    public static string SampleKnowledgePath => Path.Combine(AppContext.BaseDirectory, "sandbox-knowledge.md");

    /// <summary>The stand-in model's OpenAI-compatible API, and the key it accepts (fresh for each run).</summary>
    public string ModelBaseUrl => SelfBaseUrl + SandboxAccount.ModelPath;

    public string ModelKey { get; } = "sandbox-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public string ConversationsBaseUrl => SelfBaseUrl + SandboxAccount.TwilioPath;

    public string FlexBaseUrl => SelfBaseUrl + SandboxAccount.FlexPath;

    public string VoiceBaseUrl => SelfBaseUrl + SandboxAccount.VoicePath;

    public string SyncBaseUrl => SelfBaseUrl + SandboxAccount.SyncPath;

    public string IamBaseUrl => SelfBaseUrl + SandboxAccount.IamPath;
    public string VerifyBaseUrl => SelfBaseUrl + SandboxAccount.VerifyPath;

    public string TaskRouterBaseUrl => SelfBaseUrl + SandboxAccount.TaskRouterPath;

    /// <summary>The console's address, with the token when the console needs one.</summary>
    public string ConsoleUrl => $"{SelfBaseUrl}{SandboxAccount.ConsolePath}{(Console.Token is { } token ? $"?token={token}" : "")}";
}

/// <summary>
/// The sandbox's pieces, in matched pairs: the Twilio emulator (<see cref="AddTwilioEmulator"/>,
/// <see cref="MapTwilioEmulator"/>), which tests use on its own, and the whole sandbox with the agent console
/// (<see cref="AddFlexSandbox"/>, <see cref="UseFlexSandbox"/>).
/// </summary>
public static partial class SandboxSetup
{
    /// <summary>The named HttpClient the emulator calls webhooks with (tests route it to the server under test).</summary>
    public const string WebhookClientName = WebhookSender.ClientName;

    public static IServiceCollection AddTwilioEmulator(this IServiceCollection services, SandboxAccount account, EmulatorBehavior? behavior = null)
    {
        services.AddSingleton(account);
        services.AddSingleton(behavior ?? new EmulatorBehavior());
        services.AddSingleton<EmulatorState>();
        services.AddSingleton<SandboxAgentTokens>();
        services.AddHostedService<WebhookSender>();
        services.AddHostedService<SimulatedAgent>();
        services.AddHttpClient(WebhookSender.ClientName, http => http.Timeout = TimeSpan.FromSeconds(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = WebhookSender.MaxSenders });
        return services;
    }

    public static IEndpointRouteBuilder MapTwilioEmulator(this IEndpointRouteBuilder app)
    {
        app.MapConversationsApi();
        app.MapInteractionsApi();
        app.MapVoiceAndSyncApi();
        app.MapIamApi();
        app.MapVerifyApi();
        app.MapTaskRouterApi();
        return app;
    }

    /// <summary>
    /// The emulator, the simulated agent (<c>SANDBOX_AUTO_REPLY_SECONDS</c>) and the console, as <paramref name="sandbox"/>
    /// decided. The host says where played customers go with <see cref="CustomerChannelOptions"/> (to Flex by default).
    /// </summary>
    public static SandboxSession AddFlexSandbox(this IServiceCollection services, SandboxSwitch sandbox, SandboxSettings settings, string? accountSid = null)
    {
        var account = new SandboxAccount(accountSid, settings.AuthToken);
        var behavior = new EmulatorBehavior { AutoReplyAfter = settings.AutoReplySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null };
        var session = new SandboxSession(account, sandbox.SelfBaseUrl!, ConsoleAccess.Create(sandbox.NeedsConsoleToken));
        services.AddTwilioEmulator(account, behavior);
        services.AddSingleton(session);
        services.AddSingleton(session.Console);
        services.AddSingleton<SimulatedCalls>();
        services.AddSingleton<AiLineCalls>();
        services.AddHostedService<StartAnnouncement>();
        return session;
    }

    /// <summary>The console (token check, page and assets from the framework's static files, its API) and the emulator's APIs.</summary>
    public static WebApplication UseFlexSandbox(this WebApplication app)
    {
        var session = app.Services.GetRequiredService<SandboxSession>();
        app.UseWhen(IsConsole, console =>
        {
            console.Use((context, next) => session.Console.CheckAsync(context, next));
            var assets = new ManifestEmbeddedFileProvider(typeof(SandboxSetup).Assembly);
            console.UseDefaultFiles(new DefaultFilesOptions { FileProvider = assets, RequestPath = SandboxAccount.ConsolePath });
            console.UseStaticFiles(new StaticFileOptions { FileProvider = assets, RequestPath = SandboxAccount.ConsolePath });
        });
        app.MapTwilioEmulator();
        app.MapConsoleApi();
        app.MapAgentToken();
        app.MapStandInModel();
        app.MapStandInRealtime();
        return app;
    }

    /// <summary>The console's paths: everything under /sandbox but the emulated APIs, which check their own credentials.</summary>
    private static bool IsConsole(HttpContext context) =>
        context.Request.Path.StartsWithSegments(SandboxAccount.ConsolePath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.TwilioPath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.FlexPath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.ModelPath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.VoicePath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.SyncPath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.IamPath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.VerifyPath)
        && !context.Request.Path.StartsWithSegments(SandboxAccount.TaskRouterPath);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Sandbox mode: no Twilio account is used; messages go to the built-in Flex sandbox. Answer them in the agent console at {ConsoleUrl}")]
    private static partial void Started(ILogger logger, string consoleUrl);

    /// <summary>Says, once the server is up, that it is the sandbox and where its console is.</summary>
    private sealed class StartAnnouncement(SandboxSession session, ILogger<StartAnnouncement> logger) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken)
        {
            Started(logger, session.ConsoleUrl);
            return Task.CompletedTask;
        }

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
