namespace FlexAgentPlugin.Core.Voice;

/// <summary>Real-time voice assist: the Realtime model that listens to calls, what it is told, and where suggestions go.</summary>
public sealed class VoiceOptions
{
    public const string DefaultRealtimeUrl = "wss://api.openai.com/v1/realtime";

    public const string DefaultInstructions =
        "You listen to a phone call between a customer and a support agent. Whenever the customer asks a question, write "
        + "one short answer the agent could give, in the customer's language. Write only the answer, no preamble.";

    /// <summary>OpenAI's Realtime API (GA) over WebSocket; <c>?model=</c> is added.</summary>
    [ConfigurationKeyName("OPENAI_REALTIME_URL")]
    public string RealtimeUrl { get; set; } = DefaultRealtimeUrl;

    [ConfigurationKeyName("VOICE_MODEL")]
    public string Model { get; set; } = "gpt-realtime";

    /// <summary>The model that transcribes the caller's speech (the transcript lines agents see).</summary>
    [ConfigurationKeyName("VOICE_TRANSCRIPTION_MODEL")]
    public string TranscriptionModel { get; set; } = "gpt-4o-mini-transcribe";

    [ConfigurationKeyName("VOICE_INSTRUCTIONS")]
    public string? Instructions { get; set; }

    /// <summary>Calls assisted at once; a call beyond it is not streamed to the model (the call itself goes on).</summary>
    [ConfigurationKeyName("VOICE_MAX_CALLS")]
    public int MaxCalls { get; set; } = 20;

    /// <summary>The Sync service (IS…) whose streams <c>FLEX_ASSIST_{CallSid}</c> the Flex plugin reads; none when unset.</summary>
    [ConfigurationKeyName("SYNC_SERVICE_SID")]
    public string? SyncServiceSid { get; set; }

    public string EffectiveInstructions => string.IsNullOrWhiteSpace(Instructions) ? DefaultInstructions : Instructions.Trim();

    public Uri ModelUri => new($"{RealtimeUrl.Trim().TrimEnd('/')}?model={Uri.EscapeDataString(Model.Trim())}");
}
