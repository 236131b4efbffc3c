using System.Security.Cryptography;
using System.Threading.Channels;
using Dapper;
using FlexAgentPlugin.Backends.InProcess;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Telemetry;
using Npgsql;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>
/// <see cref="IConversationSignals"/> across instances: an event wakes this instance's waiters at once and is announced
/// with <c>NOTIFY</c>; every instance <c>LISTEN</c>s on one dedicated connection and wakes its own waiters for that
/// conversation. When the listening connection drops, it is opened again (retrying with back-off of at most 1 s, so
/// within about a second of the database accepting connections again); after a reconnect every local waiter looks once,
/// so an event sent during the gap is not missed.
/// </summary>
public sealed partial class PostgresSignals(
    NpgsqlDataSource database,
    [FromKeyedServices(PostgresSignals.ListenerName)] NpgsqlDataSource listenerDatabase,
    InProcessSignals local,
    ExchangeMetrics metrics,
    ILogger<PostgresSignals> logger) : IConversationSignals, IHostedService, IDisposable
{
    public const string Channel = "flexagent_events";

    /// <summary>The listening connection's application_name, so operators (and tests) can find it in pg_stat_activity.</summary>
    public const string ListenerName = "flexagent-listener";

    /// <summary>Most events announced in one statement (a NOTIFY payload is small; this bounds the statement).</summary>
    private const int MostPerStatement = 200;

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];

    private readonly string instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<(string Payload, TaskCompletionSource Announced)> outgoing =
        System.Threading.Channels.Channel.CreateUnbounded<(string Payload, TaskCompletionSource Announced)>(new UnboundedChannelOptions { SingleReader = true });

    private Task? loop;
    private Task? announcing;
    private int disposed;
    private long wakeUpsFromOthers;
    private long reconnects;

    /// <summary>Events announced by other instances that woke waiters here.</summary>
    public long WakeUpsFromOthers => Interlocked.Read(ref wakeUpsFromOthers);

    public long Reconnects => Interlocked.Read(ref reconnects);

    public IConversationSubscription Subscribe(string conversationSid, string? ignoredAuthor) => local.Subscribe(conversationSid, ignoredAuthor);

    /// <summary>
    /// Wakes this instance's waiters at once, then announces the event to the others and returns once it is announced.
    /// Announcements made while one is on its way go out together in the next statement (PostgreSQL queues each
    /// notifying commit behind the one before, so one commit for many events keeps a burst of replies from queueing).
    /// </summary>
    public async Task PublishAsync(ConversationEvent conversationEvent, CancellationToken cancellationToken)
    {
        local.Wake(conversationEvent);
        var received = conversationEvent.ReceivedAt?.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        var announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!outgoing.Writer.TryWrite(($"{instance}|{(conversationEvent.Closed ? 1 : 0)}|{received}|{conversationEvent.ConversationSid}|{conversationEvent.Author}", announced)))
        {
            return;
        }

        await announced.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends what is waiting to be announced, up to <see cref="MostPerStatement"/> events in one statement.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        var batch = new List<(string Payload, TaskCompletionSource Announced)>(MostPerStatement);
        try
        {
            while (await outgoing.Reader.WaitToReadAsync(cancellationToken))
            {
                batch.Clear();
                while (batch.Count < MostPerStatement && outgoing.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    await NotifyAsync([.. batch.Select(b => b.Payload)], cancellationToken);
                    batch.ForEach(b => b.Announced.TrySetResult());
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    batch.ForEach(b => b.Announced.TrySetException(error));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            outgoing.Writer.TryComplete();
            batch.ForEach(b => b.Announced.TrySetCanceled(cancellationToken));
            while (outgoing.Reader.TryRead(out var left))
            {
                left.Announced.TrySetCanceled(cancellationToken);
            }
        }
    }

    /// <summary>One statement, one commit; an announcement is not worth a wait for the disk. A dead pooled connection is replaced.</summary>
    private async Task NotifyAsync(string[] payloads, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    BEGIN;
                    SET LOCAL synchronous_commit = off;
                    SELECT pg_notify(@Channel, payload) FROM unnest(@payloads) AS payload;
                    COMMIT;
                    """, new { Channel, payloads }, cancellationToken: cancellationToken));
                return;
            }
            catch (Exception error) when (attempt < 3 && PostgresStore.IsDeadConnection(error))
            {
                database.Clear();
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        loop = Task.Run(() => ListenAsync(stopping.Token), CancellationToken.None);
        announcing = Task.Run(() => AnnounceAsync(stopping.Token), CancellationToken.None);

        // The first LISTEN is in place before the server takes requests (or the start goes on after 10 s, retrying).
        await Task.WhenAny(listening.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
    }

    /// <summary>Idempotent: the container disposes it once for each name it is registered under.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            stopping.Cancel();
            stopping.Dispose();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref disposed) == 1)
        {
            return;
        }

        try
        {
            await stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile (a host stopping while its container is disposed): the loops were cancelled then.
            return;
        }

        if (loop is not null && announcing is not null)
        {
            await Task.WhenAny(Task.WhenAll(loop, announcing), Task.Delay(Timeout.Infinite, cancellationToken));
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var connectedBefore = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = listenerDatabase.CreateConnection();
                connection.Notification += OnNotification;
                await connection.OpenAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition($"LISTEN {Channel}", cancellationToken: cancellationToken));
                failures = 0;
                if (connectedBefore)
                {
                    Interlocked.Increment(ref reconnects);
                    Log.Reconnected(logger);
                    local.WakeAll();
                }

                connectedBefore = true;
                listening.TrySetResult();
                while (true)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException or InvalidOperationException)
            {
                Log.ListenerDown(logger, error.Message);
            }

            try
            {
                await Task.Delay(Backoff[Math.Min(failures++, Backoff.Length - 1)], cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        var parts = notification.Payload.Split('|', 5);
        if (parts.Length < 5 || parts[0] == instance)
        {
            return;
        }

        Interlocked.Increment(ref wakeUpsFromOthers);
        metrics.WokenUp(crossInstance: true);
        DateTimeOffset? received = long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;
        local.Wake(new ConversationEvent(parts[3], parts[4].Length > 0 ? parts[4] : null, parts[1] == "1", received));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL listener lost its connection ({Failure}); reconnecting")]
        public static partial void ListenerDown(ILogger logger, string failure);

        [LoggerMessage(Level = LogLevel.Information, Message = "The PostgreSQL listener is back; waiting calls look once for anything missed")]
        public static partial void Reconnected(ILogger logger);
    }
}
