namespace FlexAgentPlugin.Core.State;

/// <summary>One turn of a phone call the AI answered: its place in the call, who spoke (<c>caller</c> or <c>ai</c>), and what was said.</summary>
public sealed record CallTurn(int Index, string Speaker, string Text, DateTimeOffset At);

/// <summary>The turns of the calls the AI answered, kept so that the agent who takes a call can read what was said.</summary>
public interface ICallTurns
{
    /// <summary>Saves the turn at <see cref="CallTurn.Index"/>, replacing one saved there before (an answer cut short by the caller).</summary>
    Task SaveCallTurnAsync(string callSid, CallTurn turn, CancellationToken cancellationToken);

    /// <summary>The call's turns in order; none for a call the AI never answered.</summary>
    Task<IReadOnlyList<CallTurn>> ListCallTurnsAsync(string callSid, CancellationToken cancellationToken);
}
