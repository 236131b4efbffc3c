using System.Globalization;
using System.Net;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>Twilio answered with an error. <see cref="Code"/> is Twilio's error code (see <see cref="TwilioErrors"/>).</summary>
public sealed class TwilioApiException(string operation, HttpStatusCode status, int? code, string? message, string? moreInfo)
    : Exception($"Twilio {operation} failed with HTTP {(int)status}, error {code?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}: {message}")
{
    public string Operation { get; } = operation;

    public HttpStatusCode Status { get; } = status;

    public int? Code { get; } = code;

    public string? MoreInfo { get; } = moreInfo;

    public bool IsAuthenticationFailure => Status == HttpStatusCode.Unauthorized || Code == TwilioErrors.AuthenticationFailed;

    /// <summary>Twilio failed (5xx) or asked to slow down (429), even after retries: trying again later may work.</summary>
    public bool IsTransient => (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests;
}

/// <summary>Twilio could not be reached or did not answer in time.</summary>
public sealed class TwilioUnavailableException(string operation, Exception inner)
    : Exception($"Twilio {operation} could not complete: {inner.Message}", inner)
{
    public string Operation { get; } = operation;
}

/// <summary>No Twilio account is configured (and the sandbox is off), so nothing can be sent to Twilio.</summary>
public sealed class TwilioNotConfiguredException()
    : Exception("No Twilio account is configured: set ACCOUNT_SID and AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET).");
