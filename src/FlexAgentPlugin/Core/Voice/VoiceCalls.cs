using System.Collections.Concurrent;
using FlexAgentPlugin.Core.Assistant;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// The streams being assisted, at most VOICE_MAX_CALLS at once; each is an <see cref="AssistedTracks"/>. One call may
/// have several streams (assist started twice, Twilio's stream opened again on another socket): they are counted per
/// call, and the agents' streams of the call end with the last of them. The model is told VOICE_INSTRUCTIONS, to answer
/// the customer only, and the knowledge the AI answers from (AI_KNOWLEDGE_PATH).
/// </summary>
public sealed class VoiceCalls(
    IOptions<VoiceOptions> options, AssistantBrief brief, IRealtimeConnector connector, AssistFeed feed, TimeProvider clock, ILogger<CallAssistant> logger)
{
    private readonly ConcurrentDictionary<AssistedTracks, byte> active = new();
    private readonly Dictionary<string, int> streamsPerCall = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly string instructions = Instructions(options.Value, brief);
    private int count;

    public int Active => Volatile.Read(ref count);

    /// <summary>What the model is told: the instructions, that only the customer's questions are answered, the knowledge.</summary>
    public static string Instructions(VoiceOptions options, AssistantBrief brief) =>
        options.EffectiveInstructions
        + "\n\nAnswer only the customer's questions, never the agent's."
        + (brief.Knowledge.Length > 0 ? "\n\nAnswer from this knowledge where it applies.\n\n# Knowledge\n\n" + brief.Knowledge : "");

    /// <summary>Starts assisting a stream of the call, or null when VOICE_MAX_CALLS streams are assisted already.</summary>
    public async Task<AssistedTracks?> TryBeginAsync(string callSid)
    {
        if (Interlocked.Increment(ref count) > options.Value.MaxCalls)
        {
            Interlocked.Decrement(ref count);
            return null;
        }

        lock (gate)
        {
            streamsPerCall[callSid] = streamsPerCall.GetValueOrDefault(callSid) + 1;
        }

        // Kept before the model hears anything, so an agent may follow the call as soon as its stream is assisted.
        await feed.StartedAsync(callSid, CancellationToken.None);
        var stream = new AssistedTracks(callSid, speaker => new CallAssistant(callSid, speaker, instructions, options.Value, connector, feed, clock, logger));
        active.TryAdd(stream, 0);
        return stream;
    }

    /// <summary>Ends a stream's assist: its model connections close; when it was the call's last, the agents' streams end.</summary>
    public async Task EndAsync(AssistedTracks stream)
    {
        if (!active.TryRemove(stream, out _))
        {
            return;
        }

        // The stream no longer counts against VOICE_MAX_CALLS from here; its model connections close next.
        Interlocked.Decrement(ref count);
        await stream.DisposeAsync();
        lock (gate)
        {
            var left = streamsPerCall[stream.CallSid] - 1;
            if (left > 0)
            {
                streamsPerCall[stream.CallSid] = left;
                return;
            }

            streamsPerCall.Remove(stream.CallSid);
        }

        await feed.EndAsync(stream.CallSid);
    }
}
