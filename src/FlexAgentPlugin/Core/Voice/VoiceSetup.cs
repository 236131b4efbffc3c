using FlexAgentPlugin.Configuration;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>Voice assist's settings, validated at start, and its pieces.</summary>
public static class VoiceSetup
{
    public static IServiceCollection AddVoiceAssist(this IServiceCollection services)
    {
        services.AddOptions<VoiceOptions>()
            .BindEnvironment()
            .Validate(o => Uri.TryCreate(o.RealtimeUrl, UriKind.Absolute, out var uri) && (uri.Scheme == "wss" || uri.Scheme == "ws"),
                "OPENAI_REALTIME_URL must be a ws(s):// URL such as wss://api.openai.com/v1/realtime.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Model) && !o.Model.Any(char.IsWhiteSpace), "VOICE_MODEL must name a Realtime model, such as gpt-realtime.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TranscriptionModel), "VOICE_TRANSCRIPTION_MODEL must name a transcription model, such as gpt-4o-mini-transcribe.")
            .Validate(o => o.MaxCalls is >= 1 and <= 10_000, "VOICE_MAX_CALLS must be a whole number of calls from 1 to 10000.")
            .Validate(o => Settings.IsSidOrEmpty(o.SyncServiceSid, "IS"), "SYNC_SERVICE_SID must be a Sync service SID: IS followed by 32 hexadecimal characters.")
            .ValidateOnStart();
        services.AddSingleton<StreamTickets>();
        services.AddSingleton<AssistFeed>();
        services.AddSingleton<AssistHistory>();
        services.AddSingleton<VoiceCalls>();
        services.AddSingleton<AssistStreams>();
        services.AddSingleton<MediaStreams>();
        return services;
    }
}
