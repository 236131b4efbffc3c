using System.Net;

namespace FlexAgentPlugin.Twilio;

/// <summary>Twilio answered with an error. <see cref="Code"/> is Twilio's error code (e.g. 20003, 20404).</summary>
public sealed class TwilioApiException(string operation, HttpStatusCode status, TwilioError? error)
    : Exception($"Twilio {operation} failed with HTTP {(int)status}, error {error?.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}: {error?.Message}")
{
    /// <summary>Twilio's code for bad credentials (HTTP 401).</summary>
    public const int AuthenticationFailed = 20003;

    public string Operation { get; } = operation;

    public HttpStatusCode Status { get; } = status;

    public int? Code { get; } = error?.Code;

    public string? MoreInfo { get; } = error?.MoreInfo;

    public bool IsAuthenticationFailure => Status == HttpStatusCode.Unauthorized || Code == AuthenticationFailed;

    public bool IsServerFault => (int)Status >= 500;
}

/// <summary>Twilio could not be reached or did not answer in time.</summary>
public sealed class TwilioUnavailableException(string operation, Exception inner)
    : Exception($"Twilio {operation} could not complete: {inner.Message}", inner)
{
    public string Operation { get; } = operation;
}
