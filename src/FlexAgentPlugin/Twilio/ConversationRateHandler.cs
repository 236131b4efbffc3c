using System.Threading.RateLimiting;

namespace FlexAgentPlugin.Twilio;

/// <summary>
/// Keeps the relay under Twilio's limit of 30 actions per second on one conversation: calls beyond it wait
/// for the next permit instead of being refused by Twilio.
/// </summary>
internal sealed class ConversationRateHandler : DelegatingHandler
{
    public const int ActionsPerSecond = 30;

    /// <summary>Shared by every client instance (the handler chain is rebuilt, the budget is not).</summary>
    private static readonly PartitionedRateLimiter<string> Limiter = PartitionedRateLimiter.Create<string, string>(sid =>
        RateLimitPartition.GetTokenBucketLimiter(sid, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = ActionsPerSecond,
            TokensPerPeriod = ActionsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var segments = request.RequestUri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var conversation = Array.IndexOf(segments, "Conversations") is var at and >= 0 && at + 1 < segments.Length ? segments[at + 1] : null;
        if (conversation is null)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        using var lease = await Limiter.AcquireAsync(conversation, 1, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
