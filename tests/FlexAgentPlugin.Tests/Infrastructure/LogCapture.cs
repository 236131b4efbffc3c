using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>Keeps every log line the server writes, formatted, so tests can read what an operator would see.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Text)> lines = new();
    private readonly Lock gate = new();
    private TaskCompletionSource written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(LogLevel Level, string Category, string Text)> Lines => lines.ToList();

    /// <summary>Completes once a line matching <paramref name="match"/> has been written (within 10 s).</summary>
    public async Task WaitForAsync(Func<(LogLevel Level, string Category, string Text), bool> match)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task next;
            lock (gate)
            {
                next = written.Task;
            }

            if (lines.Any(match))
            {
                return;
            }

            await next.WaitAsync(limit.Token);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.lines.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : $" {exception}")));
            lock (owner.gate)
            {
                owner.written.TrySetResult();
                owner.written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
