using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Twilio's limit of 30 actions per second on one conversation: calls beyond it wait for the next permit instead of
/// being refused by Twilio. In one process a token bucket per conversation; with several instances, permits from
/// one-second windows counted in the shared store (<see cref="IPermitBatches"/>), so the instances together stay under
/// it. An instance takes them <see cref="Batch"/> at a time and spends them locally: a conversation being set up (a
/// dozen calls) costs one or two round trips to the store, not one per call.
/// </summary>
public sealed class ConversationActionLimiter(TimeProvider clock, IPermitBatches? shared = null) : IDisposable
{
    public const int ActionsPerSecond = 30;

    /// <summary>Permits an instance takes from the shared window at once: a third of it, so three instances can act in one second before any waits.</summary>
    public const int Batch = 10;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Budget> budgets = new();
    private long nextSweepTicks;

    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(sid =>
        RateLimitPartition.GetTokenBucketLimiter(sid, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = ActionsPerSecond,
            TokensPerPeriod = ActionsPerSecond,
            ReplenishmentPeriod = Window,
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));

    /// <summary>Waits for a permit to act on the conversation; dispose the result when the action is done.</summary>
    public async ValueTask<IDisposable?> AcquireAsync(string conversationSid, CancellationToken cancellationToken)
    {
        if (shared is null)
        {
            return await limiter.AcquireAsync(conversationSid, 1, cancellationToken);
        }

        var budget = budgets.GetOrAdd(conversationSid, _ => new Budget());
        await budget.Turn.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var now = clock.GetUtcNow();
                if (budget.Left > 0 && now < budget.Ends)
                {
                    budget.Left--;
                    return null;
                }

                var batch = await shared.TakeBatchAsync($"twilio-actions:{conversationSid}", ActionsPerSecond, Window, Batch, cancellationToken);
                (budget.Left, budget.Ends) = (batch.Granted, batch.WindowEnds);
                if (batch.Granted == 0)
                {
                    await Task.Delay(batch.WindowEnds > now ? batch.WindowEnds - now : TimeSpan.Zero, clock, cancellationToken);
                }
                else
                {
                    ForgetPastBudgets(now);
                }
            }
        }
        finally
        {
            budget.Turn.Release();
        }
    }

    public void Dispose() => limiter.Dispose();

    /// <summary>
    /// Drops budgets of windows gone by, at most once a second and only once there are many (a conversation acting
    /// again simply takes a new batch).
    /// </summary>
    private void ForgetPastBudgets(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref nextSweepTicks);
        if (budgets.Count < 4096 || now.UtcTicks < due || Interlocked.CompareExchange(ref nextSweepTicks, (now + Window).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var (sid, budget) in budgets)
        {
            if (budget.Ends <= now && budget.Turn.CurrentCount == 1)
            {
                budgets.TryRemove(sid, out _);
            }
        }
    }

    /// <summary>This instance's unspent permits for one conversation, and the window they belong to; one caller at a time refills it.</summary>
    private sealed class Budget
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public int Left { get; set; }

        public DateTimeOffset Ends { get; set; }
    }
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
