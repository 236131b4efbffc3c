using FlexAgentPlugin.Core.Assistant;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Backends.OpenAi;

/// <summary>A model is configured when OPENAI_API_KEY or AI_BASE_URL is set.</summary>
internal sealed class ModelConfiguration(IOptions<OpenAiOptions> options) : IModelConfiguration
{
    public bool IsConfigured => options.Value.IsConfigured;
}
