using System.Text.RegularExpressions;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.Routing;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>The AI on the phone: its settings, validated at start, and the calls it is answering.</summary>
public static partial class PhoneAiSetup
{
    public static IServiceCollection AddPhoneAiCalls(this IServiceCollection services)
    {
        services.AddOptions<PhoneAiOptions>()
            .BindEnvironment()
            .Validate(o => o.HasKnownResponder, "VOICE_RESPONDER must be human (calls go to a Flex agent) or ai-first (the AI answers calls first and hands off).")
            .Validate(o => PhoneAiOptions.InterruptibleValues.Contains(o.Interruptible.Trim().ToLowerInvariant()),
                "VOICE_INTERRUPTIBLE must be any, speech, dtmf or none (what may cut the AI short on a call).")
            .Validate(o => LanguageTag().IsMatch(o.Language.Trim()), "VOICE_LANGUAGE must be a language tag such as en-US or fr-FR.")
            .Validate(o => o.WelcomeGreeting.Length <= 1000, "VOICE_WELCOME_GREETING must be at most 1000 characters.")
            .Validate<IOptions<RoutingOptions>>((o, routing) => !o.IsExplicitlyAiFirst || !string.IsNullOrWhiteSpace(routing.Value.WorkflowSid),
                "VOICE_RESPONDER=ai-first needs FLEX_WORKFLOW_SID (and FLEX_WORKSPACE_SID), the TaskRouter workflow the AI hands calls to.")
            .ValidateOnStart();
        services.AddSingleton<PhoneAiCalls>();
        services.AddSingleton<RelaySessions>();
        return services;
    }

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();
}
