using System.Threading.RateLimiting;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// Calls the webhooks the emulator's conversations registered, as Twilio does: a form POST signed with
/// <c>X-Twilio-Signature</c> (the account's auth token), sent without holding up the request that caused it.
/// A burst of events queues for a bounded number of senders.
/// </summary>
internal sealed partial class WebhookSender(
    EmulatorState state,
    SandboxAccount account,
    IHttpClientFactory clients,
    IHostApplicationLifetime lifetime,
    ILogger<WebhookSender> logger) : IHostedService, IDisposable
{
    public const string ClientName = "FlexAgentPlugin.Sandbox.Webhooks";

    /// <summary>Webhook calls in flight at once; Twilio's own fan-out is bounded too.</summary>
    public const int MaxSenders = 64;

    private readonly ConcurrencyLimiter senders = new(new ConcurrencyLimiterOptions { PermitLimit = MaxSenders, QueueLimit = int.MaxValue });

    public Task StartAsync(CancellationToken cancellationToken)
    {
        state.WebhookDue += Send;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        state.WebhookDue -= Send;
        return Task.CompletedTask;
    }

    public void Dispose() => senders.Dispose();

    private void Send(EmulatedWebhook webhook, IReadOnlyList<KeyValuePair<string, string>> form) => _ = SendAsync(webhook, form);

    private async Task SendAsync(EmulatedWebhook webhook, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        RateLimitLease lease;
        try
        {
            lease = await senders.AcquireAsync(1, lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using (lease)
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add(RequestSigner.Header, RequestSigner.Sign(account.AuthToken, webhook.Url!, form));
            using var response = await clients.CreateClient(ClientName).SendAsync(request, lifetime.ApplicationStopping);
            var failure = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}{await ProblemDetailAsync(response)}";
            state.WebhookOutcome(webhook.ConversationSid, failure is null ? null : $"{webhook.Url} answered {failure}");
            if (failure is not null)
            {
                Failed(logger, webhook.Url!, failure);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            state.WebhookOutcome(webhook.ConversationSid, $"{webhook.Url} could not be reached: {ex.Message}");
            Failed(logger, webhook.Url!, ex.Message);
        }
    }

    /// <summary>The detail of a ProblemDetails answer (what the server says to do), as " (detail)", or nothing.</summary>
    private async Task<string> ProblemDetailAsync(HttpResponseMessage response)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(lifetime.ApplicationStopping);
            return System.Text.Json.Nodes.JsonNode.Parse(body)?["detail"] is System.Text.Json.Nodes.JsonValue detail && detail.TryGetValue(out string? text)
                ? $" ({text})"
                : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sandbox could not deliver a webhook to {Url}: {Reason}")]
    private static partial void Failed(ILogger logger, string url, string reason);
}
