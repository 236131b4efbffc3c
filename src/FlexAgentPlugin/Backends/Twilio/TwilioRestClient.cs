using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// What every typed Twilio client shares: form-encoded POSTs, snake_case JSON answers, and one mapping of
/// failures to <see cref="TwilioApiException"/> (Twilio said no) or <see cref="TwilioUnavailableException"/>
/// (no usable answer). Authentication and retries live in the client's handlers.
/// </summary>
public abstract class TwilioRestClient(HttpClient http)
{
    protected HttpClient Http { get; } = http;

    /// <summary>Before an ambiguous POST is re-sent, <paramref name="recover"/> looks for its effect (see <see cref="TwilioResilienceHandler"/>).</summary>
    protected static void RecoverWith(HttpRequestMessage request, Func<CancellationToken, Task<HttpContent?>> recover) =>
        request.Options.Set(TwilioResilienceHandler.Recover, recover);

    /// <summary>An ambiguous POST that has no way to look for its effect is never re-sent.</summary>
    protected static void SendAtMostOnce(HttpRequestMessage request) =>
        request.Options.Set(TwilioResilienceHandler.AtMostOnce, true);

    protected async Task<T> PostAsync<T>(
        string operation, string path, IEnumerable<KeyValuePair<string, string>> form, JsonTypeInfo<T> type,
        CancellationToken cancellationToken, Action<HttpRequestMessage>? configure = null) where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        configure?.Invoke(request);
        return (await SendAsync(operation, request, type, notFoundIsNull: false, cancellationToken))!;
    }

    protected async Task<T?> SendAsync<T>(
        string operation, HttpRequestMessage request, JsonTypeInfo<T> type, bool notFoundIsNull, CancellationToken cancellationToken) where T : class
    {
        request.Options.Set(TwilioMetricsHandler.Operation, operation);
        try
        {
            using var response = await Http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                    ?? throw new TwilioUnavailableException(operation, new JsonException("Twilio answered with an empty body."));
            }

            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            throw new TwilioApiException(operation, response.StatusCode, await ReadErrorAsync(response, cancellationToken));
        }
        catch (HttpRequestException ex)
        {
            throw new TwilioUnavailableException(operation, ex);
        }
        catch (JsonException ex)
        {
            throw new TwilioUnavailableException(operation, ex);
        }
        catch (TimeoutException ex)
        {
            throw new TwilioUnavailableException(operation, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout elapsed: the caller did not cancel, Twilio did not answer.
            throw new TwilioUnavailableException(operation, ex);
        }
    }

    private static async Task<TwilioError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(TwilioJsonContext.Default.TwilioError, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
