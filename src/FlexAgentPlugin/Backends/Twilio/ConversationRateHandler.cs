using System.Threading.RateLimiting;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Twilio's limit of 30 actions per second on one conversation, as a token bucket per conversation: calls beyond it
/// wait for the next permit instead of being refused by Twilio. One per process, shared by every Twilio client.
/// </summary>
public sealed class ConversationActionLimiter : IDisposable
{
    public const int ActionsPerSecond = 30;

    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(sid =>
        RateLimitPartition.GetTokenBucketLimiter(sid, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = ActionsPerSecond,
            TokensPerPeriod = ActionsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));

    public ValueTask<RateLimitLease> AcquireAsync(string conversationSid, CancellationToken cancellationToken) =>
        limiter.AcquireAsync(conversationSid, 1, cancellationToken);

    public void Dispose() => limiter.Dispose();
}

/// <summary>Holds each request about a conversation (a path with <c>Conversations/CH…</c>) to <see cref="ConversationActionLimiter"/>.</summary>
internal sealed class ConversationRateHandler(ConversationActionLimiter limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var segments = request.RequestUri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var conversation = Array.IndexOf(segments, "Conversations") is var at and >= 0 && at + 1 < segments.Length ? segments[at + 1] : null;
        if (conversation is null)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        using var lease = await limiter.AcquireAsync(conversation, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
