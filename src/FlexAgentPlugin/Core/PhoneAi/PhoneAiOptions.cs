using FlexAgentPlugin.Core.Assistant;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>
/// Who answers phone calls (VOICE_RESPONDER, apart from RESPONDER, so that voice assist stays as it was unless asked) and, when the AI does, how Twilio's ConversationRelay
/// speaks and listens on the call: the greeting, the language, what may interrupt the AI, whether keys are heard.
/// </summary>
public sealed class PhoneAiOptions
{
    public const string DefaultGreeting = "Hello! I'm the assistant. How can I help? Press 0 or ask for a person at any time.";

    /// <summary>The values ConversationRelay's <c>interruptible</c> takes.</summary>
    public static readonly string[] InterruptibleValues = ["any", "speech", "dtmf", "none"];

    /// <summary><c>human</c> (calls go to Flex with voice assist; the default) or <c>ai-first</c> (the AI answers through ConversationRelay).</summary>
    [ConfigurationKeyName("VOICE_RESPONDER")]
    public string? Responder { get; set; }

    /// <summary>What the AI says when it picks up.</summary>
    [ConfigurationKeyName("VOICE_WELCOME_GREETING")]
    public string WelcomeGreeting { get; set; } = DefaultGreeting;

    /// <summary>The language ConversationRelay listens and speaks in (BCP 47).</summary>
    [ConfigurationKeyName("VOICE_LANGUAGE")]
    public string Language { get; set; } = "en-US";

    /// <summary>What may cut the AI short: <c>any</c>, <c>speech</c>, <c>dtmf</c> or <c>none</c>.</summary>
    [ConfigurationKeyName("VOICE_INTERRUPTIBLE")]
    public string Interruptible { get; set; } = "any";

    /// <summary>Whether the caller's key presses reach the AI (0 asks for a person).</summary>
    [ConfigurationKeyName("VOICE_DTMF_DETECTION")]
    public bool DtmfDetection { get; set; } = true;

    public bool IsExplicit => !string.IsNullOrWhiteSpace(Responder);

    public bool IsExplicitlyAiFirst => IsExplicit && Is(Responder!, AssistantOptions.AiFirstResponder);

    public bool HasKnownResponder => !IsExplicit || Is(Responder!, AssistantOptions.AiFirstResponder) || Is(Responder!, AssistantOptions.HumanResponder);

    /// <summary>True when the AI answers calls (VOICE_RESPONDER=ai-first), whatever RESPONDER says for messaging.</summary>
    public bool AnswersCalls => IsExplicitlyAiFirst;

    private static bool Is(string value, string expected) => string.Equals(value.Trim(), expected, StringComparison.OrdinalIgnoreCase);
}
