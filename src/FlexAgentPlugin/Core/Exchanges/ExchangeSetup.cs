using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Responders;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Limits;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Telemetry;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Exchanges;

/// <summary>The engine: its settings (validated at start), conversations, routing, the responder, the reply waiter and hand-out.</summary>
public static class ExchangeSetup
{
    public static IServiceCollection AddExchange(this IServiceCollection services)
    {
        services.AddOptions<MessageOptions>()
            .BindEnvironment()
            .Validate(o => o.MaxMessageLength is >= 1 and <= MessageOptions.TwilioMaxMessageLength,
                "MAX_MESSAGE_LENGTH must be a whole number of characters from 1 to 1600 (Twilio's limit).")
            .ValidateOnStart();
        services.AddOptions<ReplyOptions>()
            .BindEnvironment()
            .Validate(o => o.PollIntervalSeconds is >= 0.1 and <= 3600,
                "POLL_INTERVAL_SECONDS must be a number of seconds between 0.1 and 3600.")
            .Validate(o => o.ReplyTimeoutSeconds is >= 0 and <= 86400,
                "REPLY_TIMEOUT_SECONDS must be a number of seconds between 0 (no limit) and 86400.")
            .ValidateOnStart();
        services.AddOptions<LimitOptions>()
            .BindEnvironment()
            .Validate(o => o.PerUserPerMinute is >= 1 and <= 100_000, "RATE_LIMIT_PER_USER must be a whole number of calls per minute, 1 or more.")
            .ValidateOnStart();
        services.AddOptions<PublicUrlOptions>()
            .BindEnvironment()
            .Validate(o => Settings.IsHttpUrlOrEmpty(o.PublicBaseUrl), "PUBLIC_BASE_URL must be an absolute http(s) URL such as https://abc123.ngrok.app.")
            .ValidateOnStart();

        // Built once: a waiting request holds only its own state, not a graph of services.
        services.AddMetrics();
        services.AddSingleton<ExchangeMetrics>();
        services.AddSingleton<TwilioCallbacks>();
        services.AddSingleton<UserLimits>();
        services.AddSingleton<ConversationSetup>();
        services.AddSingleton<UserConversations>();
        services.AddFlexRouting();
        services.AddResponder();
        services.AddCustomerWait();
        services.AddSingleton<ConversationLooks>();
        services.AddSingleton<ReplyHandout>();
        services.AddSingleton<ReplyWaiter>();
        services.AddSingleton<AssistantPresence>();
        services.AddSingleton<ExchangeSteps>();
        services.AddSingleton<IdempotentSends>();

        // Its steps are the engine's own: a door reaches them only through the one send and the one fetch.
        services.AddSingleton(provider => new ConversationExchange(
            provider.GetRequiredService<ExchangeSteps>(), provider.GetRequiredService<IdempotentSends>(),
            provider.GetRequiredService<UserLimits>(), provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
