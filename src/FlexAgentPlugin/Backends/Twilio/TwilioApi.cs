using System.Net;
using System.Runtime.ExceptionServices;
using FlexAgentPlugin.Core.Services;
using Twilio.Clients;
using Twilio.Exceptions;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// The account's Twilio REST client (the SDK's <see cref="TwilioRestClient"/> over our <see cref="HttpClient"/>, whose
/// handlers authenticate, rewrite hosts, hold the per-conversation rate, retry and count), and the one place where the
/// SDK's failures become ours: Twilio said no (<see cref="ApiException"/>) is a <see cref="ServiceRefusedException"/> with
/// Twilio's code and status; no usable answer (<see cref="ApiConnectionException"/>, an unreadable body) is a
/// <see cref="ServiceUnavailableException"/>; the caller's cancellation stays a cancellation.
/// </summary>
public sealed class TwilioApi(ITwilioRestClient client)
{
    /// <summary>
    /// Runs one SDK call as <paramref name="operation"/>, with the caller's token and the retry rules of
    /// <see cref="TwilioCall"/>: <paramref name="recover"/> looks for the effect of an ambiguous attempt before it is
    /// re-sent; with <paramref name="atMostOnce"/> it is never re-sent.
    /// </summary>
    internal async Task<T> CallAsync<T>(
        string operation, Func<ITwilioRestClient, Task<T>> call, CancellationToken cancellationToken,
        Func<CancellationToken, Task<HttpContent?>>? recover = null, bool atMostOnce = false) where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var scope = TwilioCall.Begin(operation, cancellationToken, recover, atMostOnce);
        try
        {
            return await call(client) ?? throw TwilioFailures.Unavailable(operation, new InvalidOperationException("Twilio answered with an empty body."));
        }
        catch (ApiException error)
        {
            throw TwilioFailures.Refused(operation, Status(error.Status, scope), error.Code == 0 ? null : error.Code, error.Message, error.MoreInfo);
        }
        catch (ApiStandardException error)
        {
            throw TwilioFailures.Refused(operation, Status(error.Status, scope), error.Code == 0 ? null : error.Code, error.Detail ?? error.Title, error.Type);
        }
        catch (ApiConnectionException error) when (error.InnerException is { } cause)
        {
            throw Unwrapped(operation, cause, cancellationToken);
        }
        catch (ApiConnectionException error)
        {
            throw TwilioFailures.Unavailable(operation, error);
        }
        catch (Newtonsoft.Json.JsonException error)
        {
            throw TwilioFailures.Unavailable(operation, error);
        }
    }

    /// <summary>The status the SDK read, or (when it could not read the error body) the one our handler saw.</summary>
    private static HttpStatusCode Status(int status, TwilioCall call) =>
        status > 0 ? (HttpStatusCode)status : call.Status ?? HttpStatusCode.BadGateway;

    /// <summary>What the SDK wrapped as a connection error: our own exceptions as they were, the rest by kind.</summary>
    private static Exception Unwrapped(string operation, Exception cause, CancellationToken cancellationToken)
    {
        switch (cause)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return new OperationCanceledException(cause.Message, cause, cancellationToken);
            case HttpRequestException or TimeoutException or OperationCanceledException or IOException:
                // OperationCanceledException without the caller's cancellation: HttpClient.Timeout elapsed.
                return TwilioFailures.Unavailable(operation, cause);
            default:
                ExceptionDispatchInfo.Capture(cause).Throw();
                return cause;
        }
    }
}
