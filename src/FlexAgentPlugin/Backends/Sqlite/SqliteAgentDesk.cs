using Dapper;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>What the agents' desk reads: the assistants' waits (<see cref="IAssistantWaits"/>) and the calls' assist events (<see cref="IAssistEventLog"/>).</summary>
public sealed partial class SqliteStore : IAssistantWaits, IAssistEventLog
{
    public Task BeginWaitAsync(string conversationSid, long until, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            INSERT INTO assistant_waits (conversation_sid, waiting_until, pending, updated_at) VALUES (@conversationSid, @until, 0, @now)
            ON CONFLICT (conversation_sid) DO UPDATE
                SET waiting_until = max(coalesce(waiting_until, 0), excluded.waiting_until), updated_at = excluded.updated_at
            """,
            new { conversationSid, until, now = Now() }, cancellationToken);

    public Task EndWaitAsync(string conversationSid, long until, bool pending, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            UPDATE assistant_waits SET pending = @pending, updated_at = @now,
                waiting_until = CASE WHEN waiting_until <= @until THEN NULL ELSE waiting_until END
            WHERE conversation_sid = @conversationSid
            """,
            new { conversationSid, until, pending = pending ? 1 : 0, now = Now() }, cancellationToken);

    public async Task<AssistantWait?> FindWaitAsync(string conversationSid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WaitRow>(new CommandDefinition(
            "SELECT waiting_until AS WaitingUntil, pending AS Pending FROM assistant_waits WHERE conversation_sid = @conversationSid",
            new { conversationSid }, cancellationToken: cancellationToken));
        return row is null ? null : new AssistantWait(row.WaitingUntil, row.Pending != 0);
    }

    public Task AppendAsync(string callSid, string kind, string data, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            DELETE FROM assist_events WHERE created_at < @forgetBefore;
            INSERT INTO assist_events (call_sid, kind, data, created_at) VALUES (@callSid, @kind, @data, @now);
            """,
            new { callSid, kind, data, now = Now(), forgetBefore = Text(clock.GetUtcNow() - AssistEvents.KeptFor) }, cancellationToken);

    public async Task<IReadOnlyList<AssistEvent>> ListAsync(string callSid, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<AssistEvent>(new CommandDefinition(
            "SELECT id AS Id, kind AS Kind, data AS Data FROM assist_events WHERE call_sid = @callSid AND id > @afterId ORDER BY id LIMIT @limit",
            new { callSid, afterId, limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>A wait row as SQLite types it.</summary>
    private sealed record WaitRow(long? WaitingUntil, long Pending);
}
