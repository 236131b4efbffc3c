using System.Collections.Concurrent;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Services;

namespace FlexAgentPlugin.Core.Assistant;

/// <summary>
/// A conversation the AI answers first: its SID, the author of the customer's messages, the customer as Flex routes
/// them, the task attributes a hand-off starts from, and whether it is a customer's channel conversation (SMS,
/// WhatsApp, web chat: the AI then also stays out of conversations the relay manages, and out of those an agent joined).
/// </summary>
public sealed record AiConversation(
    string ConversationSid, string CustomerAuthor, Customer Customer, IReadOnlyDictionary<string, string> TaskAttributes, bool FromChannel);

/// <summary>
/// The AI's turns, queued and run by this hosted service (<see cref="AiTurn"/> is one turn). One run at a time per
/// conversation: a message that arrives while the model is thinking is answered with the others in the run's next
/// turn. At most <see cref="MaxTurnsAtOnce"/> turns run at once; the rest wait for a slot. Turns run apart from the
/// request that queued them, so a caller who hangs up loses nothing; the server stopping ends them.
/// </summary>
public sealed partial class AiTurns(IServiceProvider services, ILogger<AiTurns> logger) : BackgroundService
{
    /// <summary>The author of the AI's messages in Twilio.</summary>
    public const string AiAuthor = "ai-assistant";

    public const string HandoffNotice = "I'm handing you over to a person, who will reply here shortly.";

    /// <summary>Said after the hand-off notice when no agent is there.</summary>
    public const string AwayNotice = "Your message is with them, and a person will reply here when they are back.";

    /// <summary>Model calls in flight at once; further turns wait their turn.</summary>
    public const int MaxTurnsAtOnce = 32;

    /// <summary>Made at the first turn, not when the host starts: starting the host builds none of the outbound clients.</summary>
    private readonly Lazy<AiTurn> turn = new(services.GetRequiredService<AiTurn>);

    private readonly ConcurrentDictionary<string, Run> runs = new(StringComparer.Ordinal);
    private readonly Channel<(AiConversation Conversation, Run Run)> queue =
        Channel.CreateUnbounded<(AiConversation, Run)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrencyLimiter slots = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = MaxTurnsAtOnce,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>
    /// Makes sure the conversation's waiting customer messages are answered: queues a run, or has the running one look
    /// again when its turn ends. Failures are logged, never thrown.
    /// </summary>
    public void Enqueue(AiConversation conversation)
    {
        while (true)
        {
            if (runs.TryGetValue(conversation.ConversationSid, out var running))
            {
                if (running.TryAgain())
                {
                    return;
                }

                continue;
            }

            var run = new Run();
            if (runs.TryAdd(conversation.ConversationSid, run))
            {
                queue.Writer.TryWrite((conversation, run));
                return;
            }
        }
    }

    /// <summary>Completes when the conversation has no turn under way (or due).</summary>
    public Task WhenIdleAsync(string conversationSid) => runs.TryGetValue(conversationSid, out var run) ? run.Done : Task.CompletedTask;

    public override void Dispose()
    {
        slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var (conversation, run) in queue.Reader.ReadAllAsync(stoppingToken))
            {
                running.RemoveAll(task => task.IsCompleted);
                running.Add(RunAsync(conversation, run, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the runs under way see the same token and end.
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(AiConversation conversation, Run run, CancellationToken stopping)
    {
        // The reader goes on to the next conversation at once, whatever this run does before its first wait.
        await Task.Yield();
        do
        {
            await TurnAsync(conversation, stopping);
        }
        while (run.ContinueOrFinish(() => runs.TryRemove(new KeyValuePair<string, Run>(conversation.ConversationSid, run))));
    }

    private async Task TurnAsync(AiConversation conversation, CancellationToken stopping)
    {
        try
        {
            using var slot = await slots.AcquireAsync(1, stopping);
            await turn.Value.TakeAsync(conversation, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The server is stopping; the customer's next message (or the caller's next look) starts the turn again.
        }
        catch (Exception error) when (error is ServiceRefusedException or ServiceUnavailableException)
        {
            Log.TurnFailed(logger, conversation.ConversationSid, error.Message);
        }
    }

    /// <summary>The turns of one conversation: whether another is due, and when none is left.</summary>
    private sealed class Run
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool again;
        private bool finished;

        public Task Done => done.Task;

        /// <summary>Asks for another turn after the running one; false when the run has just finished (start a new one).</summary>
        public bool TryAgain()
        {
            lock (done)
            {
                again = !finished;
                return !finished;
            }
        }

        /// <summary>True when another turn is due; otherwise ends the run (<paramref name="remove"/> forgets it first).</summary>
        public bool ContinueOrFinish(Action remove)
        {
            lock (done)
            {
                if (again)
                {
                    again = false;
                    return true;
                }

                finished = true;
                remove();
            }

            done.TrySetResult();
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The AI's turn in conversation {ConversationSid} failed ({Failure}); the customer's next message tries again")]
        public static partial void TurnFailed(ILogger logger, string conversationSid, string failure);
    }
}
