using FlexAgentPlugin.Configuration;

namespace FlexAgentPlugin.Replies;

/// <summary>Registers the reply waiter and its polling settings.</summary>
public static class RepliesSetup
{
    public static IServiceCollection AddReplies(this IServiceCollection services)
    {
        services.AddOptions<ReplyOptions>()
            .BindEnvironment()
            .Validate(o => o.PollIntervalSeconds is >= 0.1 and <= 3600,
                "POLL_INTERVAL_SECONDS must be a number of seconds between 0.1 and 3600.")
            .ValidateOnStart();
        services.AddTransient<ReplyWaiter>();
        return services;
    }
}
