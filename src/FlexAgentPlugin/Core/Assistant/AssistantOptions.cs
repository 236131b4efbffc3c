namespace FlexAgentPlugin.Core.Assistant;

/// <summary>Who answers first, and what the AI that answers first is told.</summary>
public sealed class AssistantOptions
{
    public const string HumanResponder = "human";
    public const string AiFirstResponder = "ai-first";
    public const string DefaultMarker = "[HANDOFF]";

    public const string DefaultInstructions =
        "You are the first line of customer support. Answer the customer's questions briefly and politely, only from the "
        + "knowledge you are given; never make up facts, prices or promises.";

    /// <summary><c>human</c> (a Flex agent answers every message) or <c>ai-first</c> (a language model answers first and hands off).</summary>
    [ConfigurationKeyName("RESPONDER")]
    public string Responder { get; set; } = HumanResponder;

    [ConfigurationKeyName("AI_INSTRUCTIONS")]
    public string? Instructions { get; set; }

    [ConfigurationKeyName("AI_INSTRUCTIONS_FILE")]
    public string? InstructionsFile { get; set; }

    /// <summary>A Markdown file, or a folder of them, given to the model as what it knows.</summary>
    [ConfigurationKeyName("AI_KNOWLEDGE_PATH")]
    public string? KnowledgePath { get; set; }

    /// <summary>A phrase that, in the model's answer, counts as a hand-off (and never reaches the user).</summary>
    [ConfigurationKeyName("AI_HANDOFF_MARKER")]
    public string HandoffMarker { get; set; } = DefaultMarker;

    /// <summary>How long one model call may take before the user is handed to a person.</summary>
    [ConfigurationKeyName("AI_TIMEOUT_SECONDS")]
    public double TimeoutSeconds { get; set; } = 20;

    public bool IsAiFirst => string.Equals(Responder.Trim(), AiFirstResponder, StringComparison.OrdinalIgnoreCase);

    public bool HasKnownResponder => IsAiFirst || string.Equals(Responder.Trim(), HumanResponder, StringComparison.OrdinalIgnoreCase);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}
