using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>The calls being assisted, at most VOICE_MAX_CALLS at once; each has its <see cref="CallAssistant"/>.</summary>
public sealed class VoiceCalls(
    IOptions<VoiceOptions> options, RealtimeConnector connector, AssistFeed feed, TimeProvider clock, ILogger<CallAssistant> logger)
{
    private readonly ConcurrentDictionary<CallAssistant, byte> active = new();
    private int count;

    public int Active => Volatile.Read(ref count);

    /// <summary>Starts assisting the call, or null when VOICE_MAX_CALLS calls are assisted already.</summary>
    public CallAssistant? TryBegin(string callSid)
    {
        if (Interlocked.Increment(ref count) > options.Value.MaxCalls)
        {
            Interlocked.Decrement(ref count);
            return null;
        }

        var assistant = new CallAssistant(callSid, options.Value, connector, feed, clock, logger);
        active.TryAdd(assistant, 0);
        return assistant;
    }

    /// <summary>Ends the call's assist: the model connection closes, the agents' streams end.</summary>
    public async Task EndAsync(CallAssistant assistant)
    {
        if (active.TryRemove(assistant, out _))
        {
            // The call no longer counts against VOICE_MAX_CALLS from here; its model connection closes next.
            Interlocked.Decrement(ref count);
            await assistant.DisposeAsync();
            feed.End(assistant.CallSid);
        }
    }
}
