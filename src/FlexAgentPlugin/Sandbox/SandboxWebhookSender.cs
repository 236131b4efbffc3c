using FlexAgentPlugin.Twilio;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// Calls the webhooks the sandbox's conversations registered, as Twilio does: a form POST signed with
/// <c>X-Twilio-Signature</c> (the sandbox's auth token), sent without holding up the request that caused it.
/// A burst of events queues for a bounded number of senders.
/// </summary>
internal sealed partial class SandboxWebhookSender(
    SandboxState state,
    SandboxMode mode,
    IHttpClientFactory clients,
    IHostApplicationLifetime lifetime,
    ILogger<SandboxWebhookSender> logger) : IHostedService, IDisposable
{
    public const string ClientName = "FlexAgentPlugin.Sandbox.Webhooks";

    private readonly SemaphoreSlim senders = new(TwilioSetup.MaxConnectionsPerHost);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (mode.Enabled)
        {
            state.WebhookDue += Send;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        state.WebhookDue -= Send;
        return Task.CompletedTask;
    }

    public void Dispose() => senders.Dispose();

    private void Send(SandboxWebhook webhook, IReadOnlyList<KeyValuePair<string, string>> form) => _ = SendAsync(webhook, form);

    private async Task SendAsync(SandboxWebhook webhook, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        try
        {
            await senders.WaitAsync(lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add(TwilioSignature.Header, TwilioSignature.Compute(mode.AuthToken, webhook.Url!, form));
            using var response = await clients.CreateClient(ClientName).SendAsync(request, lifetime.ApplicationStopping);
            if (!response.IsSuccessStatusCode)
            {
                Failed(logger, webhook.Url!, $"HTTP {(int)response.StatusCode}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            Failed(logger, webhook.Url!, ex.Message);
        }
        finally
        {
            senders.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sandbox could not deliver a webhook to {Url}: {Reason}")]
    private static partial void Failed(ILogger logger, string url, string reason);
}
