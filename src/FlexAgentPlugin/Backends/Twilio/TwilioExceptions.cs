using System.Net;
using FlexAgentPlugin.Core.Services;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>Twilio's failures as the engine's own exceptions, made in one place so Twilio's error codes stay here.</summary>
public static class TwilioFailures
{
    private const string Service = "Twilio";

    /// <summary>Twilio answered with an error (see <see cref="TwilioErrors"/> for the codes it may carry).</summary>
    public static ServiceRefusedException Refused(string operation, HttpStatusCode status, int? code, string? message, string? moreInfo) =>
        new(Service, operation, status, code, message, moreInfo,
            isGone: status == HttpStatusCode.NotFound || code == TwilioErrors.ConversationClosed,
            isAuthenticationFailure: code == TwilioErrors.AuthenticationFailed);

    /// <summary>Twilio could not be reached or did not answer in time.</summary>
    public static ServiceUnavailableException Unavailable(string operation, Exception inner) => new(Service, operation, inner);

    /// <summary>No Twilio account is configured (and the sandbox is off), so nothing can be sent to Twilio.</summary>
    public static ServiceNotConfiguredException NotConfigured() =>
        new("No Twilio account is configured: set ACCOUNT_SID and AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET).");
}
