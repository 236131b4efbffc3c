using System.Globalization;
using Dapper;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>The turns of the calls the AI answered (<see cref="ICallTurns"/>).</summary>
public sealed partial class SqliteStore : ICallTurns
{
    public Task SaveCallTurnAsync(string callSid, CallTurn turn, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            INSERT INTO call_turns (call_sid, turn_index, speaker, text, at) VALUES (@callSid, @Index, @Speaker, @Text, @at)
            ON CONFLICT (call_sid, turn_index) DO UPDATE SET speaker = excluded.speaker, text = excluded.text, at = excluded.at
            """,
            new { callSid, turn.Index, turn.Speaker, turn.Text, at = Text(turn.At) }, cancellationToken);

    public async Task<IReadOnlyList<CallTurn>> ListCallTurnsAsync(string callSid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CallTurnRow>(new CommandDefinition(
            "SELECT turn_index AS TurnIndex, speaker AS Speaker, text AS Text, at AS At FROM call_turns WHERE call_sid = @callSid AND text <> '' ORDER BY turn_index",
            new { callSid }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new CallTurn((int)r.TurnIndex, r.Speaker, r.Text, DateTimeOffset.Parse(r.At, CultureInfo.InvariantCulture)))];
    }

    private sealed record CallTurnRow(long TurnIndex, string Speaker, string Text, string At);
}
