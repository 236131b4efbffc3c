namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// A <see cref="TimeProvider"/> that moves only when a test says so, so no test sleeps through a poll
/// interval. Tests wait for the server to arm a timer (it is then waiting) and advance past it.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ManualTimer> timers = [];
    private DateTimeOffset now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private TaskCompletionSource armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (gate)
        {
            timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The first armed timer, once the server has armed one.</summary>
    public Task<ManualTimer> WaitForArmedTimerAsync(TimeSpan? timeout = null) => WaitForTimerAsync(_ => true, timeout);

    /// <summary>The first armed timer that <paramref name="match"/> accepts (e.g. due at a given time), once the server has armed one.</summary>
    public async Task<ManualTimer> WaitForTimerAsync(Func<ManualTimer, bool> match, TimeSpan? timeout = null)
    {
        var deadline = timeout ?? TimeSpan.FromSeconds(10);
        while (true)
        {
            Task signal;
            lock (gate)
            {
                var timer = timers.FirstOrDefault(t => t.IsArmed && match(t));
                if (timer is not null)
                {
                    return timer;
                }

                signal = armed.Task;
            }

            await signal.WaitAsync(deadline);
        }
    }

    /// <summary>
    /// Waits until at least <paramref name="count"/> armed timers match <paramref name="match"/>, e.g. until every call
    /// still waiting has armed its timeout (moving the clock sooner would leave a call that was busy with a timer set
    /// from the new time).
    /// </summary>
    public async Task WaitForArmedTimersAsync(int count, Func<ManualTimer, bool> match, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var armedNow = 0;
        using var giveUp = new CancellationTokenSource(limit);
        while (true)
        {
            Task signal;
            lock (gate)
            {
                armedNow = timers.Count(t => t.IsArmed && match(t));
                if (armedNow >= count)
                {
                    return;
                }

                signal = armed.Task;
            }

            try
            {
                await signal.WaitAsync(giveUp.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{armedNow} of {count} timers were armed after {limit.TotalSeconds} s.");
            }
        }
    }

    /// <summary>Moves time forward and fires every timer that falls due.</summary>
    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (gate)
        {
            now += by;
            due = timers.Where(t => t.IsArmed && t.DueAt <= now).ToList();
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    /// <summary>Moves time to <paramref name="at"/> one armed timer at a time, so the server acts at each on the way.</summary>
    public async Task AdvanceToAsync(DateTimeOffset at)
    {
        while (GetUtcNow() < at)
        {
            var timer = await WaitForTimerAsync(t => t.DueAt <= at);
            Advance(timer.DueAt - GetUtcNow());
        }
    }

    /// <summary>Advances to each timer the server arms until <paramref name="work"/> completes.</summary>
    public async Task<T> RunUntilDoneAsync<T>(Task<T> work)
    {
        while (!work.IsCompleted)
        {
            var timer = WaitForArmedTimerAsync();
            var first = await Task.WhenAny(work, timer).WaitAsync(TimeSpan.FromSeconds(10));
            if (first == timer)
            {
                Advance((await timer).DueAt - GetUtcNow());
            }
        }

        return await work;
    }

    private void Rearmed()
    {
        lock (gate)
        {
            armed.TrySetResult();
            armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private readonly TaskCompletionSource disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset DueAt { get; private set; } = DateTimeOffset.MaxValue;

        public bool IsArmed { get; private set; }

        /// <summary>Completes when the server drops the timer, e.g. because the wait was cancelled.</summary>
        public Task Disposed => disposed.Task;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            IsArmed = dueTime != Timeout.InfiniteTimeSpan;
            DueAt = IsArmed ? clock.GetUtcNow() + dueTime : DateTimeOffset.MaxValue;
            if (IsArmed)
            {
                clock.Rearmed();
            }

            return true;
        }

        internal void Fire()
        {
            IsArmed = false;
            callback(state);
        }

        public void Dispose()
        {
            IsArmed = false;
            disposed.TrySetResult();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
