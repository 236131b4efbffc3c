using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace FlexAgentPlugin.Twilio;

/// <summary>
/// Turns Twilio failures into ProblemDetails a caller can act on: 502 when Twilio refused the request,
/// 503 with Retry-After when it failed or could not be reached. Twilio's own text and the credentials
/// never reach the caller; the log keeps the operation, status and Twilio error code.
/// </summary>
internal sealed partial class TwilioProblemHandler(IProblemDetailsService problems, ILogger<TwilioProblemHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    /// <summary>The answer when no account is configured and the sandbox is switched off (<c>SANDBOX=false</c>).</summary>
    public static ProblemHttpResult NotConfigured() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Twilio is not configured",
        detail: "Set ACCOUNT_SID, AUTH_TOKEN and the Flex routing (CONV_FLOW, or FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID; see .env.example), or unset SANDBOX=false to use the built-in sandbox, and restart the server.");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            TwilioApiException { IsAuthenticationFailure: true } api => Problem(StatusCodes.Status502BadGateway,
                "Twilio refused the credentials",
                $"Twilio rejected the configured credentials (error {api.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "401"}). "
                + "Check ACCOUNT_SID and AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET."),
            TwilioApiException { IsServerFault: true } or TwilioApiException { Status: System.Net.HttpStatusCode.TooManyRequests } => Problem(StatusCodes.Status503ServiceUnavailable,
                "Twilio is failing",
                $"Twilio could not {((TwilioApiException)exception).Operation} right now, even after retrying. Nothing was lost; try again in a few seconds."),
            TwilioApiException api => Problem(StatusCodes.Status502BadGateway,
                "Twilio rejected the request",
                $"Twilio refused to {api.Operation}{CodeSuffix(api)}."),
            TwilioUnavailableException unavailable => Problem(StatusCodes.Status503ServiceUnavailable,
                "Twilio could not be reached",
                $"Twilio did not answer the request to {unavailable.Operation}. Try again in a few seconds."),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        TwilioCallFailed(logger, exception.Message);
        httpContext.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio call failed: {Failure}")]
    private static partial void TwilioCallFailed(ILogger logger, string failure);

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };

    private static string CodeSuffix(TwilioApiException api) => api.Code is { } code
        ? $" (Twilio error {code}{(api.MoreInfo is null ? "" : $", see {api.MoreInfo}")})"
        : $" (HTTP {(int)api.Status})";
}
