using FlexAgentPlugin.Core.Assistant;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Responders;

/// <summary>Who answers (RESPONDER): a human agent in Flex, or the AI first (<see cref="AssistantSetup.AddAssistant"/>).</summary>
public static class ResponderSetup
{
    public static IServiceCollection AddResponder(this IServiceCollection services)
    {
        services.AddAssistant();
        services.AddSingleton<HumanAgentResponder>();
        services.AddSingleton<AiFirstResponder>();
        services.AddSingleton<IResponder>(provider => provider.GetRequiredService<IOptions<AssistantOptions>>().Value.IsAiFirst
            ? provider.GetRequiredService<AiFirstResponder>()
            : provider.GetRequiredService<HumanAgentResponder>());
        return services;
    }
}
