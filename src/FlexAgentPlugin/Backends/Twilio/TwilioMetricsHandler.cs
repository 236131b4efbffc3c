using System.Net.Http;
using FlexAgentPlugin.Core.Telemetry;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>Counts each Twilio call (after its retries) by operation and outcome: ok, refused (4xx), failed (5xx) or unavailable.</summary>
internal sealed class TwilioMetricsHandler(ExchangeMetrics metrics) : DelegatingHandler
{
    /// <summary>The typed client's name for the call (e.g. "send message"), set on each request from its <see cref="TwilioCall"/>.</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("FlexAgentPlugin.TwilioOperation");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = request.Options.TryGetValue(Operation, out var name) ? name : request.Method.Method;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            metrics.TwilioCall(operation, status < 400 ? "ok" : status < 500 ? "refused" : "failed");
            return response;
        }
        catch (Exception error) when (error is HttpRequestException or TimeoutException or TaskCanceledException)
        {
            metrics.TwilioCall(operation, cancellationToken.IsCancellationRequested ? "cancelled" : "unavailable");
            throw;
        }
    }
}
