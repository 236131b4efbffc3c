using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// Records, for the agent who takes the task, whether the user's assistant is on the line: a wait begins (until its
/// limit, at most <see cref="LongestWait"/>) and ends told its outcome or <c>pending</c>. Only a convenience for the
/// agent: a store failure here (or the store already closed as the server stops) is logged and the wait goes on.
/// The recordings run beside the waits; <see cref="UnderWayAsync"/> lets a store that closes as the server stops
/// finish them first.
/// </summary>
public sealed partial class AssistantPresence(IAssistantWaits waits, TimeProvider clock, ILogger<AssistantPresence> logger)
{
    private readonly HashSet<Task> recording = [];

    public const string Waiting = "waiting";
    public const string Pending = "pending";
    public const string None = "none";

    /// <summary>A wait with no limit counts as this long on the line, so a lost instance's wait lapses.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>
    /// Starts recording the wait's start, without making the wait wait for it; <see cref="EndAsync"/> takes the mark back
    /// and records the end after the start.
    /// </summary>
    public WaitMark Begin(string conversationSid, DateTimeOffset since, TimeSpan? limit)
    {
        var until = (since + (limit is { } span && span < LongestWait ? span : LongestWait)).ToUnixTimeMilliseconds();
        return new WaitMark(until, Tracked(QuietlyAsync(conversationSid, waits.BeginWaitAsync(conversationSid, until, CancellationToken.None))));
    }

    /// <summary>Records that the wait ended, with the caller told <c>pending</c> or not; never throws.</summary>
    public Task EndAsync(string conversationSid, WaitMark mark, bool pending) => Tracked(EndAfterStartAsync(conversationSid, mark, pending));

    /// <summary>The recordings under way (each one short write); every wait has started its own once its caller is answered.</summary>
    public Task UnderWayAsync()
    {
        lock (recording)
        {
            return Task.WhenAll([.. recording]);
        }
    }

    private async Task EndAfterStartAsync(string conversationSid, WaitMark mark, bool pending)
    {
        await mark.Recorded;
        await QuietlyAsync(conversationSid, waits.EndWaitAsync(conversationSid, mark.Until, pending, CancellationToken.None));
    }

    private Task Tracked(Task task)
    {
        if (task.IsCompleted)
        {
            return task;
        }

        lock (recording)
        {
            recording.Add(task);
        }

        _ = task.ContinueWith(done =>
        {
            lock (recording)
            {
                recording.Remove(done);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>Whether the conversation's assistant waits now, was told pending, or neither.</summary>
    public async Task<string> StateAsync(string conversationSid, CancellationToken cancellationToken) =>
        await waits.FindWaitAsync(conversationSid, cancellationToken) switch
        {
            { WaitingUntil: { } until } when until > clock.GetUtcNow().ToUnixTimeMilliseconds() => Waiting,
            { Pending: true } => Pending,
            _ => None,
        };

    private async Task QuietlyAsync(string conversationSid, Task recording)
    {
        try
        {
            await recording;
        }
        catch (Exception error) when (StoreFailures.IsStoreFailure(error) || error is OperationCanceledException or ObjectDisposedException)
        {
            NotRecorded(logger, conversationSid, error.Message);
        }
    }

    /// <summary>A wait being recorded: until when it lasts at most (Unix milliseconds), and the recording of its start.</summary>
    public sealed record WaitMark(long Until, Task Recorded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Whether the assistant waits on conversation {ConversationSid} could not be recorded ({Failure})")]
    private static partial void NotRecorded(ILogger logger, string conversationSid, string failure);
}
