using Dapper;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>What the agents' desk reads: the assistants' waits (<see cref="IAssistantWaits"/>) and the calls' assist events (<see cref="IAssistEventLog"/>).</summary>
public sealed partial class PostgresStore : IAssistantWaits, IAssistEventLog
{
    public Task BeginWaitAsync(string conversationSid, long until, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO assistant_waits (conversation_sid, waiting_until, pending, updated_at) VALUES (@conversationSid, @until, false, @now)
            ON CONFLICT (conversation_sid) DO UPDATE
                SET waiting_until = greatest(coalesce(assistant_waits.waiting_until, 0), excluded.waiting_until), updated_at = excluded.updated_at
            """,
            new { conversationSid, until, now = clock.GetUtcNow() }, cancellationToken);

    public Task EndWaitAsync(string conversationSid, long until, bool pending, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE assistant_waits SET pending = @pending, updated_at = @now,
                waiting_until = CASE WHEN waiting_until <= @until THEN NULL ELSE waiting_until END
            WHERE conversation_sid = @conversationSid
            """,
            new { conversationSid, until, pending, now = clock.GetUtcNow() }, cancellationToken);

    public async Task<AssistantWait?> FindWaitAsync(string conversationSid, CancellationToken cancellationToken) =>
        await RunAsync(c => c.QuerySingleOrDefaultAsync<AssistantWait>(new CommandDefinition(
            "SELECT waiting_until AS WaitingUntil, pending AS Pending FROM assistant_waits WHERE conversation_sid = @conversationSid",
            new { conversationSid }, cancellationToken: cancellationToken)));

    public Task AppendAsync(string callSid, string kind, string data, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return ExecuteAsync(
            """
            DELETE FROM assist_events WHERE created_at < @forgetBefore;
            INSERT INTO assist_events (call_sid, kind, data, created_at) VALUES (@callSid, @kind, @data, @now);
            """,
            new { callSid, kind, data, now, forgetBefore = now - AssistEvents.KeptFor }, cancellationToken);
    }

    public async Task<IReadOnlyList<AssistEvent>> ListAsync(string callSid, long afterId, int limit, CancellationToken cancellationToken) =>
        [.. await RunAsync(c => c.QueryAsync<AssistEvent>(new CommandDefinition(
            "SELECT id AS Id, kind AS Kind, data AS Data FROM assist_events WHERE call_sid = @callSid AND id > @afterId ORDER BY id LIMIT @limit",
            new { callSid, afterId, limit }, cancellationToken: cancellationToken)))];
}
