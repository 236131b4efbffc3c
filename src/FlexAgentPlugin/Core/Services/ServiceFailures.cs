using System.Globalization;
using System.Net;

namespace FlexAgentPlugin.Core.Services;

/// <summary>
/// An outside service (Twilio) answered with an error. The back end that called it says what the answer means for the
/// engine: <see cref="IsGone"/>, <see cref="IsAuthenticationFailure"/>; <see cref="Code"/> is the service's own error code.
/// </summary>
public sealed class ServiceRefusedException(
    string service, string operation, HttpStatusCode status, int? code, string? message, string? moreInfo, bool isGone = false, bool isAuthenticationFailure = false)
    : Exception($"{service} {operation} failed with HTTP {(int)status}, error {code?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}: {message}")
{
    public string Service { get; } = service;

    public string Operation { get; } = operation;

    public HttpStatusCode Status { get; } = status;

    public int? Code { get; } = code;

    public string? MoreInfo { get; } = moreInfo;

    /// <summary>The thing operated on no longer exists (404) or is closed: a new one is needed.</summary>
    public bool IsGone { get; } = isGone;

    public bool IsAuthenticationFailure => Status == HttpStatusCode.Unauthorized || isAuthenticationFailure;

    /// <summary>The service failed (5xx) or asked to slow down (429), even after retries: trying again later may work.</summary>
    public bool IsTransient => (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests;
}

/// <summary>An outside service could not be reached or gave no usable answer in time (the operation may or may not have happened).</summary>
public sealed class ServiceUnavailableException(string service, string operation, Exception inner)
    : Exception($"{service} {operation} could not complete: {inner.Message}", inner)
{
    public string Service { get; } = service;

    public string Operation { get; } = operation;
}

/// <summary>The outside service has no account configured, so nothing can be sent to it; the message names the settings.</summary>
public sealed class ServiceNotConfiguredException(string message) : Exception(message);
