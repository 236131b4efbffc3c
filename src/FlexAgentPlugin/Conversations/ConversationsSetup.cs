using FlexAgentPlugin.Routing;

namespace FlexAgentPlugin.Conversations;

/// <summary>Registers the per-user conversation lookup and the Flex routing it needs.</summary>
public static class ConversationsSetup
{
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddFlexRouting();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton<SetupGate>();
        services.AddTransient<UserConversations>();
        return services;
    }
}
