using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Core.Voice;
using Microsoft.Extensions.Options;
using Twilio.Http;
using SdkRestClient = Twilio.Clients.TwilioRestClient;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>Twilio settings, validated at start, the account's SDK client over our handlers, and the typed clients on it.</summary>
public static class TwilioSetup
{
    /// <summary>The named HttpClient all Twilio REST calls go through.</summary>
    public const string ClientName = "Twilio";

    /// <summary>How long one Twilio REST call may take, retries included, before it counts as unreachable.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Connections kept open to one Twilio host; a burst of users queues on them instead of opening thousands. As many as
    /// the conversation set-ups that run at once, so those never wait for a connection.
    /// </summary>
    public const int MaxConnectionsPerHost = ConversationSetup.MaxAtOnce;

    public static IServiceCollection AddTwilio(this IServiceCollection services)
    {
        services.AddOptions<TwilioOptions>()
            .BindEnvironment()
            .Validate(o => Settings.IsSidOrEmpty(o.AccountSid, "AC"),
                "ACCOUNT_SID must be a Twilio account SID: AC followed by 32 hexadecimal characters.")
            .Validate(o => Settings.IsSidOrEmpty(o.ApiKey, "SK"),
                "TWILIO_API_KEY must be a Twilio API key SID: SK followed by 32 hexadecimal characters.")
            .Validate(o => string.IsNullOrWhiteSpace(o.ApiKey) == string.IsNullOrWhiteSpace(o.ApiSecret),
                "TWILIO_API_KEY and TWILIO_API_SECRET must be set together.")
            .Validate(o => !o.HasAccount || o.IsConfigured,
                "AUTH_TOKEN (or TWILIO_API_KEY with TWILIO_API_SECRET) must be set when ACCOUNT_SID is set.")
            .Validate(o => o.HasAccount || (string.IsNullOrWhiteSpace(o.AuthToken) && string.IsNullOrWhiteSpace(o.ApiKey)),
                "ACCOUNT_SID must be set when AUTH_TOKEN or TWILIO_API_KEY is set.")
            .Validate(o => Settings.IsHttpUrl(o.ConversationsBaseUrl),
                "TWILIO_CONVERSATIONS_BASE_URL must be an absolute http(s) URL such as https://conversations.twilio.com.")
            .Validate(o => o.AttemptTimeoutSeconds is >= 0.1 and <= 60,
                "TWILIO_TIMEOUT_SECONDS must be a number of seconds between 0.1 and 60.")
            .Validate(o => Settings.IsHttpUrl(o.FlexBaseUrl),
                "TWILIO_FLEX_BASE_URL must be an absolute http(s) URL such as https://flex-api.twilio.com.")
            .Validate(o => Settings.IsHttpUrl(o.ApiBaseUrl),
                "TWILIO_API_BASE_URL must be an absolute http(s) URL such as https://api.twilio.com.")
            .Validate(o => Settings.IsHttpUrl(o.SyncBaseUrl),
                "TWILIO_SYNC_BASE_URL must be an absolute http(s) URL such as https://sync.twilio.com.")
            .Validate(o => Settings.IsHttpUrl(o.IamBaseUrl),
                "TWILIO_IAM_BASE_URL must be an absolute http(s) URL such as https://iam.twilio.com.")
            .Validate(o => Settings.IsHttpUrl(o.VerifyBaseUrl),
                "TWILIO_VERIFY_BASE_URL must be an absolute http(s) URL such as https://verify.twilio.com.")
            .Validate(o => Settings.IsHttpUrl(o.TaskRouterBaseUrl),
                "TWILIO_TASKROUTER_BASE_URL must be an absolute http(s) URL such as https://taskrouter.twilio.com.")
            .ValidateOnStart();
        services.AddOptions<RoutingOptions>()
            .Validate<IOptions<TwilioOptions>>((o, twilio) => !twilio.Value.IsConfigured || !string.IsNullOrWhiteSpace(o.Mode) || o.EffectiveMode is not null, RoutingSetup.Neither);
        services.AddOptions<VerifyOptions>()
            .BindEnvironment()
            .Validate(o => Settings.IsSidOrEmpty(o.ServiceSid?.Trim(), "VA"),
                "VERIFY_SERVICE_SID must be a Twilio Verify service SID: VA followed by 32 hexadecimal characters.")
            .ValidateOnStart();

        services.AddTransient<TwilioCallHandler>();
        services.AddTransient<TwilioBaseUrlHandler>();
        services.AddTransient<TwilioMetricsHandler>();
        services.AddTransient<TwilioAuthHandler>();
        services.AddTransient<TwilioResilienceHandler>();
        services.AddSingleton<ConversationActionLimiter>();
        services.AddTransient<ConversationRateHandler>();
        services.AddHttpClient(ClientName, http => http.Timeout = CallTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = MaxConnectionsPerHost, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<TwilioCallHandler>()
            .AddHttpMessageHandler<TwilioBaseUrlHandler>()
            .AddHttpMessageHandler<TwilioMetricsHandler>()
            .AddHttpMessageHandler<ConversationRateHandler>()
            .AddHttpMessageHandler<TwilioResilienceHandler>()
            .AddHttpMessageHandler<TwilioAuthHandler>();
        services.AddSingleton(provider => new TwilioApi(CreateRestClient(provider)));
        services.AddSingleton<ConversationsClient>();
        services.AddSingleton<IConversationLog>(provider => provider.GetRequiredService<ConversationsClient>());
        services.AddSingleton<IInteractions, InteractionsClient>();
        services.AddSingleton<ICallStreams, VoiceClient>();
        services.AddSingleton<IAssistPublisher, SyncClient>();
        services.AddOptions<StreamTicketOptions>().Configure<IOptions<TwilioOptions>>((tickets, twilio) => tickets.Secret = twilio.Value.AuthToken);
        services.AddSingleton<IQueueStatistics, TaskRouterClient>();
        services.AddSingleton<FlexTokenValidation>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<IContactVerifier, VerifyClient>();

        return services;
    }

    /// <summary>
    /// The SDK's client for the configured account (none configured: no credentials, and <see cref="TwilioAuthHandler"/>
    /// stops every call) over one long-lived HttpClient with the handlers (the call's options and token, the base URL,
    /// metrics, the rate per conversation, retries, Basic auth): a waiting request holds no HttpClient of its own, and
    /// the pool's connections are renewed every few minutes, so DNS changes still reach it.
    /// </summary>
    private static SdkRestClient CreateRestClient(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<TwilioOptions>>().Value;
        var (user, password) = options.IsConfigured ? options.RestCredentials : (null!, null!);
        var http = new SystemNetHttpClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName));
        return new SdkRestClient(user, password, options.AccountSid?.Trim(), httpClient: http);
    }
}
