using System.Threading.RateLimiting;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Twilio's limit of 30 actions per second on one conversation: calls beyond it wait for the next permit instead of
/// being refused by Twilio. In one process a token bucket per conversation; with several instances, one-second windows
/// counted in the shared store (<see cref="IRateWindows"/>), so the instances together stay under it.
/// </summary>
public sealed class ConversationActionLimiter(IRateWindows windows) : IDisposable
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

    /// <summary>Waits for a permit to act on the conversation; dispose the result when the action is done.</summary>
    public async ValueTask<IDisposable?> AcquireAsync(string conversationSid, CancellationToken cancellationToken)
    {
        if (!windows.IsShared)
        {
            return await limiter.AcquireAsync(conversationSid, 1, cancellationToken);
        }

        while (await windows.TryTakeAsync($"twilio-actions:{conversationSid}", ActionsPerSecond, TimeSpan.FromSeconds(1), cancellationToken) is { } wait)
        {
            await Task.Delay(wait, cancellationToken);
        }

        return null;
    }

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
