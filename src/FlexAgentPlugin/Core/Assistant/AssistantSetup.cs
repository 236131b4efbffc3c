using FlexAgentPlugin.Configuration;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Assistant;

/// <summary>The responder's settings (RESPONDER) and, for <c>ai-first</c>, the AI that answers first: settings validated and files read at start.</summary>
public static class AssistantSetup
{
    public static IServiceCollection AddAssistant(this IServiceCollection services)
    {
        services.AddOptions<AssistantOptions>()
            .BindEnvironment()
            .Validate(o => o.HasKnownResponder, "RESPONDER must be human (a Flex agent answers) or ai-first (a language model answers first and hands off).")
            .Validate(o => o.TimeoutSeconds is >= 1 and <= 300, "AI_TIMEOUT_SECONDS must be a number of seconds from 1 to 300.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.HandoffMarker), "AI_HANDOFF_MARKER must be a phrase, such as [HANDOFF].")
            .Validate(o => string.IsNullOrWhiteSpace(o.Instructions) || string.IsNullOrWhiteSpace(o.InstructionsFile),
                "Set AI_INSTRUCTIONS or AI_INSTRUCTIONS_FILE, not both.")
            .ValidateOnStart();
        services.AddSingleton(provider => AssistantBrief.Read(provider.GetRequiredService<IOptions<AssistantOptions>>().Value));
        services.AddSingleton<AssistantModel>();
        services.AddSingleton<AiTurn>();
        services.AddSingleton<AiTurns>();
        services.AddHostedService(provider => provider.GetRequiredService<AiTurns>());
        services.AddHostedService<BriefCheck>();
        return services;
    }

    /// <summary>Reads the instructions and knowledge files at start, so a missing file stops the start with a sentence naming its setting.</summary>
    private sealed class BriefCheck(IOptions<AssistantOptions> options, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.IsAiFirst)
            {
                services.GetRequiredService<AssistantBrief>();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
