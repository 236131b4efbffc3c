using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.State;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// Where a call's transcript lines and suggestions go: into the store's log of the call (<see cref="IAssistEventLog"/>),
/// whose signal wakes the agents' event streams of that call on every instance (<see cref="AssistHistory"/> reads it),
/// and to the Sync stream <c>FLEX_ASSIST_{CallSid}</c> when SYNC_SERVICE_SID is set. On Sync a suggestion has the shape
/// the seed's Flex plugin reads (<c>{"transcript": "{\"question\": …, \"answer\": …}"}</c>, the inner object as JSON
/// text); a transcript line is <c>{"speaker": …, "text": …}</c>, which that plugin leaves alone. A store or Sync failure
/// is logged, never thrown: the call's assist goes on.
/// </summary>
public sealed partial class AssistFeed(
    IAssistPublisher sync, IOptions<VoiceOptions> options, IAssistEventLog log, IConversationSignals signals, ILogger<AssistFeed> logger)
{
    public const string TranscriptEvent = "transcript";
    public const string SuggestionEvent = "suggestion";
    public const string CustomerSpeaker = "customer";
    public const string AgentSpeaker = "agent";

    /// <summary>The author of the signals that wake a call's event streams.</summary>
    public const string SignalAuthor = "assist";

    private readonly ConcurrentDictionary<string, Task> syncStreams = new(StringComparer.Ordinal);

    public static string SyncStreamName(string callSid) => $"FLEX_ASSIST_{callSid}";

    /// <summary>A stream of the call is being assisted (or was asked for): from now on the call has events to follow.</summary>
    public Task StartedAsync(string callSid, CancellationToken cancellationToken) => KeepAsync(callSid, AssistEvents.Started, "{}", cancellationToken);

    public async Task TranscriptAsync(string callSid, string speaker, string text, CancellationToken cancellationToken)
    {
        var data = new JsonObject { ["speaker"] = speaker, ["text"] = text }.ToJsonString();
        await KeepAsync(callSid, TranscriptEvent, data, cancellationToken);
        await PublishToSyncAsync(callSid, data, cancellationToken);
    }

    public async Task SuggestionAsync(string callSid, string question, string answer, CancellationToken cancellationToken)
    {
        var suggestion = new JsonObject { ["question"] = question, ["answer"] = answer }.ToJsonString();
        await KeepAsync(callSid, SuggestionEvent, suggestion, cancellationToken);
        await PublishToSyncAsync(callSid, new JsonObject { ["transcript"] = suggestion }.ToJsonString(), cancellationToken);
    }

    /// <summary>The call's assist is over: its agents' streams end (after what was said so far).</summary>
    public Task EndAsync(string callSid)
    {
        syncStreams.TryRemove(callSid, out _);
        return KeepAsync(callSid, AssistEvents.Ended, "{}", CancellationToken.None);
    }

    private async Task KeepAsync(string callSid, string kind, string data, CancellationToken cancellationToken)
    {
        try
        {
            await log.AppendAsync(callSid, kind, data, cancellationToken);
            await signals.PublishAsync(new ConversationEvent(callSid, SignalAuthor, Closed: false), cancellationToken);
        }
        catch (Exception error) when (StoreFailures.IsStoreFailure(error))
        {
            Log.NotKept(logger, callSid, kind, error.Message);
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

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep the {Kind} event of call {CallSid} in the store: {Failure}")]
        public static partial void NotKept(ILogger logger, string callSid, string kind, string failure);
    }
}
