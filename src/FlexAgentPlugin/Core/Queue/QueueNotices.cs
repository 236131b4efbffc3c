using System.Collections.Concurrent;
using System.Text.Json;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>What a customer was last told about their wait: their place, the wait to expect (seconds), and when.</summary>
public sealed record QueueNotice(int Position, int? ExpectedWaitSeconds, DateTimeOffset ToldAt);

/// <summary>What each waiting customer was last told, for the agent who picks the conversation up; shared by every instance.</summary>
public interface IQueueNotices
{
    /// <summary>The place and wait the customer of <paramref name="conversationSid"/> was last told, or null if never.</summary>
    Task<QueueNotice?> LastToldAsync(string conversationSid, CancellationToken cancellationToken);

    /// <summary>Records that the customer was told <paramref name="place"/> now.</summary>
    Task RecordAsync(string conversationSid, QueuePlace place, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IQueueNotices"/> in the shared store. A notice is written when it says something new (another place, or a
/// wait a minute apart), not at every progress report, so thousands of waiting customers do not cost a write each every
/// few seconds.
/// </summary>
public sealed class QueueNotices(ISharedSnapshots store, TimeProvider clock) : IQueueNotices
{
    private const int Remembered = 100_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, QueuePlace> written = new(StringComparer.Ordinal);

    public async Task<QueueNotice?> LastToldAsync(string conversationSid, CancellationToken cancellationToken) =>
        await store.FindSnapshotAsync(Key(conversationSid), cancellationToken) is { } row ? JsonSerializer.Deserialize<QueueNotice>(row.Body, Json) : null;

    public async Task RecordAsync(string conversationSid, QueuePlace place, CancellationToken cancellationToken)
    {
        if (written.TryGetValue(conversationSid, out var before) && before.Position == place.Position
            && Math.Abs((before.ExpectedWaitSeconds ?? -1000) - (place.ExpectedWaitSeconds ?? -1000)) < 60)
        {
            return;
        }

        await store.SaveSnapshotAsync(Key(conversationSid),
            JsonSerializer.Serialize(new QueueNotice(place.Position, place.ExpectedWaitSeconds, clock.GetUtcNow()), Json), cancellationToken);
        if (written.Count >= Remembered)
        {
            written.Clear();
        }

        written[conversationSid] = place;
    }

    private static string Key(string conversationSid) => $"told:{conversationSid}";
}
