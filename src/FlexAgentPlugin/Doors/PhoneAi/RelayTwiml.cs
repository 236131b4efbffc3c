using System.Text.Json;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.PhoneAi;
using FlexAgentPlugin.Hosting.Access;
using Twilio.TwiML;
using Twilio.TwiML.Voice;

namespace FlexAgentPlugin.Doors.PhoneAi;

/// <summary>The TwiML of a call the AI answers, built with Twilio's SDK: the ConversationRelay session, and what follows it.</summary>
public static class RelayTwiml
{
    public const string RelayPath = "/voice/relay";
    public const string EndedPath = "/voice/relay-ended";
    public const string ConnectingNotice = "Connecting you to a person.";

    /// <summary>
    /// <c>&lt;Connect action="…/voice/relay-ended"&gt;&lt;ConversationRelay url="wss://…/voice/relay" …/&gt;</c> with the
    /// greeting, language, interruptions and key presses the settings choose; the caller's number goes along as a parameter.
    /// </summary>
    public static string Connect(TwilioCallbacks callbacks, HttpRequest request, PhoneAiOptions options, string from)
    {
        var baseUrl = callbacks.BaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
        var relay = new ConversationRelay
        {
            Url = SignedUpgrade.SocketUrl(callbacks, request, RelayPath),
            LanguageAttribute = options.Language.Trim(),
            WelcomeGreeting = string.IsNullOrWhiteSpace(options.WelcomeGreeting) ? null : options.WelcomeGreeting.Trim(),
            WelcomeGreetingInterruptible = options.Interruptible.Trim().ToLowerInvariant(),
            Interruptible = options.Interruptible.Trim().ToLowerInvariant(),
            DtmfDetection = options.DtmfDetection,
        }.Parameter(name: "from", value: from);
        var connect = new Connect(action: new Uri(baseUrl + EndedPath)).Append(relay);
        return new VoiceResponse().Append(connect).ToString();
    }

    /// <summary>
    /// After the session: with the AI's hand-off, a short notice and <c>&lt;Enqueue workflowSid&gt;</c> whose task carries
    /// the reason, summary and transcript (what the agent's context card shows); without one, <c>&lt;Hangup/&gt;</c>.
    /// </summary>
    public static string Ended(CallHandoff? handoff, string workflowSid, string from, string callSid)
    {
        if (handoff is null)
        {
            return new VoiceResponse().Hangup().ToString();
        }

        var attributes = new Dictionary<string, object>
        {
            ["type"] = "inbound",
            ["name"] = from,
            ["from"] = from,
            ["call_sid"] = callSid,
            ["channel"] = "voice",
            ["source"] = "ai-phone",
            ["reason"] = handoff.Reason,
            ["summary"] = handoff.Summary,
            ["transcript"] = handoff.Transcript,
        };
        var enqueue = new Enqueue(workflowSid: workflowSid).Task(JsonSerializer.Serialize(attributes));
        return new VoiceResponse().Say(ConnectingNotice).Append(enqueue).ToString();
    }
}
