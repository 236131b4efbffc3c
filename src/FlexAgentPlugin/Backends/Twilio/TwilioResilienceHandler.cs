using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// The one place Twilio calls are retried: 429, 5xx, timeouts and connection failures, with capped, jittered
/// exponential backoff that honours Retry-After (delays on the injected clock). Each attempt has its own timeout.
/// A POST that may have taken effect (5xx, timeout, lost connection) is re-sent only after its
/// <see cref="Recover"/> hook found no trace of it, and never when marked <see cref="AtMostOnce"/>; a 429 means
/// Twilio did nothing, so it is simply re-sent.
/// </summary>
internal sealed class TwilioResilienceHandler : DelegatingHandler
{
    /// <summary>Looks for the effect of an earlier attempt; returns it as the response body, or null to re-send.</summary>
    public static readonly HttpRequestOptionsKey<Func<CancellationToken, Task<HttpContent?>>> Recover = new("FlexAgentPlugin.Twilio.Recover");

    /// <summary>Marks a POST whose effect cannot be looked up: after an ambiguous failure it fails instead of being re-sent.</summary>
    public static readonly HttpRequestOptionsKey<bool> AtMostOnce = new("FlexAgentPlugin.Twilio.AtMostOnce");

    public const int MaxRetries = 4;

    private static readonly ResiliencePropertyKey<bool> MustNotResend = new("FlexAgentPlugin.Twilio.MustNotResend");

    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(20);

    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;
    private readonly TimeSpan attemptTimeout;

    public TwilioResilienceHandler(TimeProvider clock, IOptions<TwilioOptions> options)
    {
        attemptTimeout = TimeSpan.FromSeconds(options.Value.AttemptTimeoutSeconds);
        pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(!args.Context.Properties.GetValue(MustNotResend, false) && args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutException } => true,
                    { Result: { } response } => response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var mayHaveApplied = false;
        request.Options.TryGetValue(Recover, out var recover);
        var atMostOnce = request.Options.TryGetValue(AtMostOnce, out var once) && once;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(async context =>
            {
                var token = context.CancellationToken;
                if (mayHaveApplied && recover is not null && await recover(token) is { } found)
                {
                    return new HttpResponseMessage(HttpStatusCode.Created) { Content = found, RequestMessage = request };
                }

                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
                attempt.CancelAfter(attemptTimeout);
                try
                {
                    var response = await base.SendAsync(Copy(request, body), attempt.Token);
                    mayHaveApplied = (int)response.StatusCode >= 500;
                    return response;
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    mayHaveApplied = true;
                    throw new TimeoutException($"Twilio did not answer within {attemptTimeout.TotalSeconds} s.");
                }
                catch (HttpRequestException)
                {
                    mayHaveApplied = true;
                    throw;
                }
                finally
                {
                    context.Properties.Set(MustNotResend, atMostOnce && mayHaveApplied);
                }
            }, context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Twilio's Retry-After (seconds or a date) when given, capped; otherwise the backoff decides.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } span ? TimeSpan.FromTicks(Math.Clamp(span.Ticks, 0, MaxDelay.Ticks)) : null;
    }

    /// <summary>A fresh message per attempt (one may be sent only once), with the same content, headers and options.</summary>
    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            copy.Options.Set(new HttpRequestOptionsKey<object?>(option.Key), option.Value);
        }

        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}
