using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Twilio;

namespace FlexAgentPlugin.Conversations;

/// <summary>Registers the per-user conversation lookup and its routing settings.</summary>
public static class ConversationsSetup
{
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddOptions<ConversationOptions>()
            .BindEnvironment()
            .Validate(o => Settings.IsSidOrEmpty(o.StudioFlowSid, "FW"),
                "CONV_FLOW must be a Studio flow SID: FW followed by 32 hexadecimal characters.")
            .Validate<Microsoft.Extensions.Options.IOptions<TwilioOptions>>(
                (o, twilio) => !twilio.Value.IsConfigured || !string.IsNullOrWhiteSpace(o.StudioFlowSid),
                "CONV_FLOW must be set to the Studio flow (FW…) that sends conversations to Flex.")
            .ValidateOnStart();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton<SetupGate>();
        services.AddTransient<UserConversations>();
        return services;
    }
}
