using FlexAgentPlugin.Core.Assistant;

namespace FlexAgentPlugin.Core.AgentDesk;

/// <summary>What the agents' Flex plugin asks of the engine: a conversation's context and reply drafts.</summary>
public static class AgentDeskSetup
{
    public static IServiceCollection AddAgentDeskServices(this IServiceCollection services)
    {
        services.AddSingleton<ConversationContexts>();
        services.AddSingleton<ReplyDrafts>();
        services.AddHostedService<KnowledgeCheck>();
        return services;
    }

    /// <summary>With a model configured, drafts read the knowledge: a file that cannot be read stops the start naming its setting.</summary>
    private sealed class KnowledgeCheck(IModelConfiguration model, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (model.IsConfigured)
            {
                services.GetRequiredService<AssistantBrief>();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
