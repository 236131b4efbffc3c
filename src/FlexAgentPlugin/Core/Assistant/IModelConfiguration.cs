namespace FlexAgentPlugin.Core.Assistant;

/// <summary>Whether a language model is configured, as the model's backend reads its settings.</summary>
public interface IModelConfiguration
{
    /// <summary>True when the model can be called (an API key, or a base URL of a server of one's own).</summary>
    bool IsConfigured { get; }
}
