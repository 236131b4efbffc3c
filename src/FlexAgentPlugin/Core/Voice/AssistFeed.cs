using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using FlexAgentPlugin.Core.Services;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// Where a call's transcript lines and suggestions go: to the agents' server-sent event streams of that call, and to the
/// Sync stream <c>FLEX_ASSIST_{CallSid}</c> when SYNC_SERVICE_SID is set. On Sync a suggestion has the shape the Flex
/// plugin reads (<c>{"transcript": "{\"question\": …, \"answer\": …}"}</c>, the inner object as JSON text); a transcript
/// line is <c>{"speaker": …, "text": …}</c>, which that plugin leaves alone. A Sync failure is logged, never thrown.
/// </summary>
public sealed partial class AssistFeed(IAssistPublisher sync, IOptions<VoiceOptions> options, ILogger<AssistFeed> logger)
{
    public const string TranscriptEvent = "transcript";
    public const string SuggestionEvent = "suggestion";

    /// <summary>Events an agent's stream may fall behind by before the oldest are dropped.</summary>
    private const int SubscriberBacklog = 256;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<SseItem<string>>, byte>> subscribers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> syncStreams = new(StringComparer.Ordinal);

    public static string SyncStreamName(string callSid) => $"FLEX_ASSIST_{callSid}";

    /// <summary>
    /// The call's events from now on (the subscription starts at this call, not at the first read), until the call's
    /// assist ends or <paramref name="cancellationToken"/>.
    /// </summary>
    public IAsyncEnumerable<SseItem<string>> Subscribe(string callSid, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(SubscriberBacklog) { FullMode = BoundedChannelFullMode.DropOldest });
        var set = subscribers.GetOrAdd(callSid, _ => new());
        set.TryAdd(channel, 0);
        return ReadAsync(set, channel, cancellationToken);
    }

    private static async IAsyncEnumerable<SseItem<string>> ReadAsync(
        ConcurrentDictionary<Channel<SseItem<string>>, byte> set, Channel<SseItem<string>> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            set.TryRemove(channel, out _);
        }
    }

    public Task TranscriptAsync(string callSid, string speaker, string text, CancellationToken cancellationToken)
    {
        var data = new JsonObject { ["speaker"] = speaker, ["text"] = text }.ToJsonString();
        Send(callSid, new SseItem<string>(data, TranscriptEvent));
        return PublishToSyncAsync(callSid, data, cancellationToken);
    }

    public Task SuggestionAsync(string callSid, string question, string answer, CancellationToken cancellationToken)
    {
        var suggestion = new JsonObject { ["question"] = question, ["answer"] = answer }.ToJsonString();
        Send(callSid, new SseItem<string>(suggestion, SuggestionEvent));
        return PublishToSyncAsync(callSid, new JsonObject { ["transcript"] = suggestion }.ToJsonString(), cancellationToken);
    }

    /// <summary>The call's assist is over: its agents' streams end.</summary>
    public void End(string callSid)
    {
        syncStreams.TryRemove(callSid, out _);
        if (subscribers.TryRemove(callSid, out var set))
        {
            foreach (var channel in set.Keys)
            {
                channel.Writer.TryComplete();
            }
        }
    }

    private void Send(string callSid, SseItem<string> item)
    {
        if (subscribers.TryGetValue(callSid, out var set))
        {
            foreach (var channel in set.Keys)
            {
                channel.Writer.TryWrite(item);
            }
        }
    }

    private async Task PublishToSyncAsync(string callSid, string data, CancellationToken cancellationToken)
    {
        if (options.Value.SyncServiceSid?.Trim() is not { Length: > 0 } service)
        {
            return;
        }

        var name = SyncStreamName(callSid);
        try
        {
            await syncStreams.GetOrAdd(callSid, _ => sync.EnsureStreamAsync(service, name, CancellationToken.None));
            await sync.PublishAsync(service, name, data, cancellationToken);
        }
        catch (Exception error) when (error is ServiceRefusedException or ServiceUnavailableException or JsonException)
        {
            syncStreams.TryRemove(callSid, out _);
            Log.SyncFailed(logger, name, error.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish to Sync stream {Stream}: {Failure}")]
        public static partial void SyncFailed(ILogger logger, string stream, string failure);
    }
}
