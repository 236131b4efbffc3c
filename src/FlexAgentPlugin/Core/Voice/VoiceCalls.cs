using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// The streams being assisted, at most VOICE_MAX_CALLS at once; each has its <see cref="CallAssistant"/>. One call may
/// have several streams (assist started twice, Twilio's stream opened again on another socket): they are counted per
/// call, and the agents' streams of the call end with the last of them.
/// </summary>
public sealed class VoiceCalls(
    IOptions<VoiceOptions> options, IRealtimeConnector connector, AssistFeed feed, TimeProvider clock, ILogger<CallAssistant> logger)
{
    private readonly ConcurrentDictionary<CallAssistant, byte> active = new();
    private readonly Dictionary<string, int> streamsPerCall = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private int count;

    public int Active => Volatile.Read(ref count);

    /// <summary>Starts assisting a stream of the call, or null when VOICE_MAX_CALLS streams are assisted already.</summary>
    public CallAssistant? TryBegin(string callSid)
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

        var assistant = new CallAssistant(callSid, options.Value, connector, feed, clock, logger);
        active.TryAdd(assistant, 0);
        return assistant;
    }

    /// <summary>Ends a stream's assist: its model connection closes; when it was the call's last, the agents' streams end.</summary>
    public async Task EndAsync(CallAssistant assistant)
    {
        if (active.TryRemove(assistant, out _))
        {
            // The stream no longer counts against VOICE_MAX_CALLS from here; its model connection closes next.
            Interlocked.Decrement(ref count);
            await assistant.DisposeAsync();
            lock (gate)
            {
                var left = streamsPerCall[assistant.CallSid] - 1;
                if (left > 0)
                {
                    streamsPerCall[assistant.CallSid] = left;
                    return;
                }

                // Under the lock, so a stream of the same call beginning now is counted after this end, not lost in it.
                streamsPerCall.Remove(assistant.CallSid);
                feed.End(assistant.CallSid);
            }
        }
    }
}
