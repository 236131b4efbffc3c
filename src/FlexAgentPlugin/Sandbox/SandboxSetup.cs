using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Routing;
using FlexAgentPlugin.Twilio;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The built-in Flex sandbox: on when no Twilio account is configured (or <c>SANDBOX=true</c>). It points the
/// Twilio settings at its own emulator and maps the emulator and the agent console; otherwise it maps nothing.
/// </summary>
public static partial class SandboxSetup
{
    public static IServiceCollection AddSandbox(this IServiceCollection services)
    {
        services.AddOptions<SandboxOptions>()
            .BindEnvironment()
            .Validate(o => o.AutoReplySeconds is null or (>= 0 and <= 3600),
                "SANDBOX_AUTO_REPLY_SECONDS must be a number of seconds between 0 and 3600.")
            .Validate<SandboxMode>((_, mode) => !mode.Enabled || mode.SelfBaseUrl is not null,
                "The sandbox needs a fixed http port to reach its own Twilio emulator: set --urls or ASPNETCORE_URLS to e.g. http://localhost:5002.")
            .ValidateOnStart();
        services.AddSingleton<SandboxMode>();
        services.AddSingleton<SandboxState>();
        services.AddHostedService<SandboxAutoAgent>();
        services.AddHostedService<SandboxWebhookSender>();
        services.AddHttpClient(SandboxWebhookSender.ClientName, http => http.Timeout = TimeSpan.FromSeconds(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = TwilioSetup.MaxConnectionsPerHost });

        services.AddSingleton<IPostConfigureOptions<TwilioOptions>>(provider => new PostConfigureOptions<TwilioOptions, SandboxMode>(
            Options.DefaultName, provider.GetRequiredService<SandboxMode>(), (twilio, mode) =>
            {
                if (!mode.Enabled || mode.SelfBaseUrl is null)
                {
                    return;
                }

                twilio.AccountSid = SandboxMode.AccountSid;
                twilio.AuthToken = mode.AuthToken;
                twilio.ApiKey = null;
                twilio.ApiSecret = null;
                twilio.ConversationsBaseUrl = mode.SelfBaseUrl + SandboxMode.TwilioPath;
                twilio.FlexBaseUrl = mode.SelfBaseUrl + SandboxMode.FlexPath;
            }));
        services.AddSingleton<IPostConfigureOptions<RoutingOptions>>(provider => new PostConfigureOptions<RoutingOptions, SandboxMode>(
            Options.DefaultName, provider.GetRequiredService<SandboxMode>(), (routing, mode) =>
            {
                if (!mode.Enabled)
                {
                    return;
                }

                // The mode follows what was configured (Studio when nothing was); then both routings get stand-ins,
                // so the hand-over tool works in either mode.
                if (string.IsNullOrWhiteSpace(routing.Mode))
                {
                    routing.Mode = routing.EffectiveMode?.ToString() ?? nameof(RoutingMode.Studio);
                }

                if (!routing.HasStudioFlow)
                {
                    routing.StudioFlowSid = SandboxMode.StudioFlowSid;
                }

                if (string.IsNullOrWhiteSpace(routing.WorkspaceSid) && string.IsNullOrWhiteSpace(routing.WorkflowSid))
                {
                    routing.WorkspaceSid = SandboxMode.WorkspaceSid;
                    routing.WorkflowSid = SandboxMode.WorkflowSid;
                }
            }));
        return services;
    }

    public static IEndpointRouteBuilder MapSandbox(this IEndpointRouteBuilder app)
    {
        var mode = app.ServiceProvider.GetRequiredService<SandboxMode>();
        if (!mode.Enabled)
        {
            return app;
        }

        app.MapSandboxTwilio();
        app.MapSandboxFlex();
        app.MapSandboxConsole();

        var logger = app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SandboxSetup));
        app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => Started(logger, mode.ConsoleUrl));
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Sandbox mode: no Twilio account is used; messages go to the built-in Flex sandbox. Answer them in the agent console at {ConsoleUrl}")]
    private static partial void Started(ILogger logger, string consoleUrl);
}
