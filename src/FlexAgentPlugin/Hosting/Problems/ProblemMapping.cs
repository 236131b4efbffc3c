using System.Globalization;
using FlexAgentPlugin.Core.Exchanges;
using FlexAgentPlugin.Core.Limits;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Requests;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace FlexAgentPlugin.Hosting.Problems;

/// <summary>
/// The one place failures become RFC 9457 ProblemDetails, with one status policy: a caller's mistake is its 4xx
/// (the field named), Kestrel's transport errors keep their status, Twilio refusing is 502, Twilio failing or
/// unreachable is 503 with Retry-After. Twilio's own text and credentials never reach the caller; the log keeps the
/// operation, status and Twilio error code, at warning level at most.
/// </summary>
internal sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (problem, retryAfter) = Map(exception);
        if (problem is null)
        {
            return false;
        }

        if (exception is ServiceRefusedException or ServiceUnavailableException or ServiceNotConfiguredException)
        {
            TwilioCallFailed(logger, exception.Message);
        }
        else
        {
            Refused(logger, problem.Status!.Value, exception.Message);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (retryAfter is { } seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The problem for <paramref name="exception"/> and the Retry-After seconds, or no problem for a failure of our own (a 500).</summary>
    public static (ProblemDetails? Problem, int? RetryAfter) Map(Exception exception) => exception switch
    {
        InvalidInputException invalid => (Invalid(StatusCodes.Status400BadRequest, $"Invalid {invalid.Field}", invalid.Field, invalid.Detail), null),
        RequestRejectedException rejected => (Invalid(rejected.Status, rejected.Status == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Unsupported content type",
            rejected.Field, rejected.Detail), null),
        RateLimitedException limited => (Problem(StatusCodes.Status429TooManyRequests, "Too many requests", limited.Message), Seconds(limited.RetryAfter)),
        IdempotencyConflictException conflict => (Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused", conflict.Message), null),
        UnknownUserException => (Problem(StatusCodes.Status404NotFound, "No conversation for this username",
            "There is no conversation for this username yet: send a message with sendMsg first, with the same username."), null),
        BadHttpRequestException bad => (Problem(bad.StatusCode, TitleFor(bad.StatusCode), $"The request could not be read: {bad.Message}"), null),
        InvalidDataException form => (Problem(StatusCodes.Status400BadRequest, "Malformed request", $"The request's form could not be read: {form.Message}"), null),
        ServiceNotConfiguredException => (Problem(StatusCodes.Status503ServiceUnavailable, "Twilio is not configured",
            "Set ACCOUNT_SID and AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET) and the Flex routing (CONV_FLOW, or FLEX_WORKSPACE_SID and FLEX_WORKFLOW_SID; see .env.example), and restart the server."), null),
        ServiceRefusedException { IsAuthenticationFailure: true } api => (Problem(StatusCodes.Status502BadGateway, "Twilio refused the credentials",
            $"Twilio rejected the configured credentials (error {api.Code?.ToString(CultureInfo.InvariantCulture) ?? "401"}). "
            + "Check ACCOUNT_SID and AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET."), null),
        ServiceRefusedException { IsTransient: true } api => (Problem(StatusCodes.Status503ServiceUnavailable, "Twilio is failing",
            $"Twilio could not {api.Operation} right now, even after retrying. Nothing was lost; try again in a few seconds."), RetryAfterSeconds),
        ServiceRefusedException api => (Problem(StatusCodes.Status502BadGateway, "Twilio rejected the request", $"Twilio refused to {api.Operation}{CodeSuffix(api)}."), null),
        ServiceUnavailableException unavailable => (Problem(StatusCodes.Status503ServiceUnavailable, "Twilio could not be reached",
            $"Twilio did not answer the request to {unavailable.Operation}, so it may or may not have been done. Nothing was recorded; try again in a few seconds."), RetryAfterSeconds),
        Npgsql.NpgsqlException database when database.IsTransient || database.InnerException is TimeoutException => (Problem(StatusCodes.Status503ServiceUnavailable,
            "The database is busy", "The shared database (DATABASE_URL) could not serve the request in time (busy, restarting or unreachable). "
            + "No message was posted (one already in the conversation is answered pending instead); try again in a few seconds."), RetryAfterSeconds),
        _ => (null, null),
    };

    private static HttpValidationProblemDetails Invalid(int status, string title, string field, string detail) =>
        new(new Dictionary<string, string[]> { [field] = [detail] }) { Status = status, Title = title, Detail = detail };

    private static ProblemDetails Problem(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status408RequestTimeout => "The request body arrived too slowly",
        StatusCodes.Status413PayloadTooLarge => "Body too large",
        _ => "Malformed request",
    };

    private static string CodeSuffix(ServiceRefusedException api) => api.Code is { } code
        ? $" (Twilio error {code}{(api.MoreInfo is null ? "" : $", see {api.MoreInfo}")})"
        : $" (HTTP {(int)api.Status})";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio call failed: {Failure}")]
    private static partial void TwilioCallFailed(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a request with {Status}: {Reason}")]
    private static partial void Refused(ILogger logger, int status, string reason);
}
