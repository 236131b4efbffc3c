using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>Starts the calls the AI answers, and counts those under way.</summary>
public sealed class PhoneAiCalls(AssistantModel model, ICallTurns store, TimeProvider clock, ILoggerFactory loggers)
{
    private readonly ILogger logger = loggers.CreateLogger<PhoneAiCall>();
    private int active;

    public int Active => Volatile.Read(ref active);

    public PhoneAiCall Begin(string callSid, ICallerLine line)
    {
        Interlocked.Increment(ref active);
        return new PhoneAiCall(callSid, line, model, store, clock, logger);
    }

    /// <summary>The call ended (hang-up or hand-off, the socket closed): its model work stops.</summary>
    public async Task EndAsync(PhoneAiCall call)
    {
        await call.HangUpAsync();
        call.Dispose();
        Interlocked.Decrement(ref active);
    }

    /// <summary>The call's kept turns, for the agent who takes it.</summary>
    public Task<IReadOnlyList<CallTurn>> TurnsAsync(string callSid, CancellationToken cancellationToken) => store.ListCallTurnsAsync(callSid, cancellationToken);
}
