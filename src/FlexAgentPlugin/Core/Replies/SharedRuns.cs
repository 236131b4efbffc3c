namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// Runs a read once for everyone who asks for it with the same key at about the same time. A caller joins the next run
/// to start, never one already under way (that one may have begun before what the caller was woken for happened), so
/// what it gets was read after it asked; however many ask, a key has at most one run under way and one due. A run is
/// not the caller's: one that hangs up stops waiting for it, the others still get its result.
/// </summary>
internal sealed class SharedRuns<TKey, TResult>(Func<TKey, Task<TResult>> run) where TKey : notnull
{
    private readonly Lock gate = new();

    /// <summary>Per key with a run under way: the callers waiting for the next one (null when none has asked yet).</summary>
    private readonly Dictionary<TKey, TaskCompletionSource<TResult>?> due = [];

    public Task<TResult> JoinAsync(TKey key, CancellationToken cancellationToken)
    {
        TaskCompletionSource<TResult> next;
        bool start;
        lock (gate)
        {
            start = !due.TryGetValue(key, out var waiting);
            next = waiting ?? new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            due[key] = start ? null : next;
        }

        if (start)
        {
            _ = RunAsync(key, next);
        }

        return next.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs for <paramref name="callers"/>, then for whoever joined meanwhile, until no one has.</summary>
    private async Task RunAsync(TKey key, TaskCompletionSource<TResult> callers)
    {
        while (true)
        {
            try
            {
                callers.TrySetResult(await run(key));
            }
            catch (Exception error)
            {
                callers.TrySetException(error);
            }

            lock (gate)
            {
                if (due[key] is not { } joined)
                {
                    due.Remove(key);
                    return;
                }

                due[key] = null;
                callers = joined;
            }
        }
    }
}
