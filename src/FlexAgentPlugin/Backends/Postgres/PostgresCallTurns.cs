using Dapper;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>The turns of the calls the AI answered (<see cref="ICallTurns"/>).</summary>
public sealed partial class PostgresStore : ICallTurns
{
    public Task SaveCallTurnAsync(string callSid, CallTurn turn, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO call_turns (call_sid, turn_index, speaker, text, at) VALUES (@callSid, @Index, @Speaker, @Text, @At)
            ON CONFLICT (call_sid, turn_index) DO UPDATE SET speaker = excluded.speaker, text = excluded.text, at = excluded.at
            """,
            new { callSid, turn.Index, turn.Speaker, turn.Text, At = turn.At.ToUniversalTime() }, cancellationToken);

    public async Task<IReadOnlyList<CallTurn>> ListCallTurnsAsync(string callSid, CancellationToken cancellationToken)
    {
        var rows = await RunAsync(c => c.QueryAsync<CallTurnRow>(new CommandDefinition(
            "SELECT turn_index AS TurnIndex, speaker AS Speaker, text AS Text, at AS At FROM call_turns WHERE call_sid = @callSid AND text <> '' ORDER BY turn_index",
            new { callSid }, cancellationToken: cancellationToken)));
        return [.. rows.Select(r => new CallTurn(r.TurnIndex, r.Speaker, r.Text, new DateTimeOffset(DateTime.SpecifyKind(r.At, DateTimeKind.Utc))))];
    }

    private sealed record CallTurnRow(int TurnIndex, string Speaker, string Text, DateTime At);
}
