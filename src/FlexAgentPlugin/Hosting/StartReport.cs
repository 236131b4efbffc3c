using FlexAgentPlugin.Backends.OpenAi;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.OAuth;
using FlexAgentPlugin.Sandbox;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting;

/// <summary>
/// Once the server has started (its settings known valid), one line says how it is set up: sandbox or Twilio
/// account, routing, public URL and webhooks, whether the API (/send, /replies, /mcp) needs a key and which keys there
/// are (by name), who signs people in, and which .env file was read. Warnings
/// follow for what a user should know: an open API, a reply timeout GPT Actions would not wait for, a name in .env that
/// is not a setting (with the closest one).
/// </summary>
public static partial class StartReport
{
    /// <summary>What the report says of Twilio when the composition knows better than the settings (the sandbox stands in).</summary>
    public sealed class StartReportOptions
    {
        public string? Twilio { get; set; }

        /// <summary>What the report says of the model when the composition knows better than the settings.</summary>
        public string? Model { get; set; }
    }

    /// <summary>GPT Actions give up after 45 seconds; a reply timeout over 44 leaves no time to answer.</summary>
    public const double GptActionLimitSeconds = 45;

    public static IServiceCollection AddStartReport(this IServiceCollection services) => services.AddHostedService<Reporter>();

    private static string Mask(string accountSid) => accountSid.Length > 6 ? $"{accountSid[..2]}…{accountSid[^4..]}" : accountSid;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "FlexAgentPlugin started: Twilio: {Twilio}; routing: {Routing}; responder: {Responder}; public URL: {PublicUrl}; webhooks: {Webhooks}; API: {Api}; sign-in: {SignIn}; settings: {Settings}")]
    private static partial void Started(ILogger logger, string twilio, string routing, string responder, string publicUrl, string webhooks, string api, string signIn, string settings);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No API key is set (PLUGIN_BEARER_TOKEN is not set, nor API_KEYS): /send, /replies and /mcp are open to anyone who can reach this server.")]
    private static partial void ApiIsOpen(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No API key is set (PLUGIN_BEARER_TOKEN is not set, nor API_KEYS): /send and /replies are open to anyone who can reach this server (a sign-in token, when sent, decides the user); /mcp needs a sign-in.")]
    private static partial void ApiIsOpenButMcpNeedsSignIn(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "REPLY_TIMEOUT_SECONDS is {Seconds}: GPT Actions give up after 45 seconds, so a wait that long loses the answer there (it stays fetchable with getReplies). 40 is the default.")]
    private static partial void ReplyTimeoutTooLong(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Name} in {File} is not a setting of this server, so it is ignored: did you mean {Closest}?")]
    private static partial void MisspeltSetting(ILogger logger, string name, string file, string closest);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Name} in {File} is not a setting of this server, so it is ignored (README's settings table lists them all).")]
    private static partial void UnknownSetting(ILogger logger, string name, string file);

    /// <summary>Reports in StartedAsync: after the server listens, before the host says it has started, so the line is always written by then.</summary>
    private sealed class Reporter(IServiceProvider services, ILogger<Reporter> logger) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken)
        {
            Report();
            return Task.CompletedTask;
        }

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private void Report()
        {
            var twilio = services.GetRequiredService<IOptions<TwilioOptions>>().Value;
            var routing = services.GetRequiredService<IOptions<RoutingOptions>>().Value;
            var callbacks = services.GetRequiredService<TwilioCallbacks>();
            var access = services.GetRequiredService<IOptions<AccessOptions>>().Value;
            var replies = services.GetRequiredService<IOptions<ReplyOptions>>().Value;
            var settings = services.GetRequiredService<EnvironmentFile>();

            var report = services.GetRequiredService<IOptions<StartReportOptions>>().Value;
            var assistant = services.GetRequiredService<IOptions<AssistantOptions>>().Value;
            var model = services.GetRequiredService<IOptions<OpenAiOptions>>().Value;
            var responder = !assistant.IsAiFirst ? "human agents"
                : $"AI first ({report.Model ?? $"{model.Model} at {model.Endpoint.GetLeftPart(UriPartial.Authority)}, {(model.UsesResponses ? "Responses" : "Chat Completions")} API"}), then human agents";
            var account = report.Twilio
                ?? (twilio.IsConfigured ? $"Twilio account {Mask(twilio.AccountSid!)}" : "no Twilio account (SANDBOX=false)");
            var mode = routing.EffectiveMode?.ToString().ToLowerInvariant() ?? "none";
            var webhooks = callbacks.ConversationEventsUrl is null ? "off (replies are polled)" : "on";
            var source = settings.LoadedPath ?? $"environment only (no {settings.LookedFor})";
            var signIn = services.GetRequiredService<SignInSettings>();
            var clients = signIn.IsBuiltIn
                ? $"; clients: dynamic registration, metadata documents, {ConfiguredClient.Parse(services.GetRequiredService<IOptions<OAuthOptions>>().Value.Clients).Clients.Count} configured"
                : "";
            var describedSignIn = SignInSettings.Describe(signIn) + clients;
            Started(logger, account, mode, responder, callbacks.BaseUrl ?? "none", webhooks, access.RequiresKey ? $"requires a key ({string.Join(", ", access.Keys.Select(k => k.Name))})" : "open",
                describedSignIn, source);

            if (!access.RequiresKey && signIn.IsOn)
            {
                ApiIsOpenButMcpNeedsSignIn(logger);
            }
            else if (!access.RequiresKey)
            {
                ApiIsOpen(logger);
            }

            if (replies.ReplyTimeoutSeconds == 0 || replies.ReplyTimeoutSeconds > GptActionLimitSeconds - 1)
            {
                ReplyTimeoutTooLong(logger, replies.ReplyTimeoutSeconds);
            }

            WarnOfUnknownNames(settings);
        }

        /// <summary>Names in .env that nothing reads: most often a misspelt setting, whose value would silently not count.</summary>
        private void WarnOfUnknownNames(EnvironmentFile settings)
        {
            var known = SettingNames.Known([typeof(StartReport).Assembly, typeof(SandboxSettings).Assembly], SandboxSettings.Variables);
            foreach (var name in settings.Names.Where(name => !SettingNames.IsKnown(name, known)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (SettingNames.Closest(name, known) is { } closest)
                {
                    MisspeltSetting(logger, name, settings.LookedFor, closest);
                }
                else
                {
                    UnknownSetting(logger, name, settings.LookedFor);
                }
            }
        }
    }
}
