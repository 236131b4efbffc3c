using System.Globalization;
using Dapper;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>The sends made with an idempotency key (<see cref="ISendRecords"/>).</summary>
public sealed partial class SqliteStore : ISendRecords
{
    public async Task<SendRecord?> FindSendAsync(string userKey, string keyHash, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SendRow>(new CommandDefinition(
            """
            SELECT user_key AS UserKey, key_hash AS KeyHash, message_hash AS MessageHash, posted AS Posted, outcome AS Outcome, created_at AS CreatedAt
            FROM sends WHERE user_key = @userKey AND key_hash = @keyHash AND created_at >= @notBefore
            """,
            new { userKey, keyHash, notBefore = Text(notBefore) }, cancellationToken: cancellationToken));
        return row is null ? null
            : new SendRecord(row.UserKey, row.KeyHash, row.MessageHash, row.Posted != 0, row.Outcome, DateTimeOffset.Parse(row.CreatedAt, CultureInfo.InvariantCulture));
    }

    public Task SaveSendAsync(SendRecord record, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
        WriteAsync(
            """
            DELETE FROM sends WHERE created_at < @notBefore;
            INSERT INTO sends (user_key, key_hash, message_hash, posted, outcome, created_at)
            VALUES (@UserKey, @KeyHash, @MessageHash, 0, NULL, @createdAt)
            ON CONFLICT (user_key, key_hash) DO UPDATE
                SET message_hash = excluded.message_hash, posted = 0, outcome = NULL, created_at = excluded.created_at
            """,
            new { record.UserKey, record.KeyHash, record.MessageHash, createdAt = Text(record.CreatedAt), notBefore = Text(notBefore) }, cancellationToken);

    public Task MarkSendPostedAsync(string userKey, string keyHash, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE sends SET posted = 1 WHERE user_key = @userKey AND key_hash = @keyHash", new { userKey, keyHash }, cancellationToken);

    public Task SaveSendOutcomeAsync(string userKey, string keyHash, string outcome, CancellationToken cancellationToken) =>
        WriteAsync("UPDATE sends SET outcome = @outcome WHERE user_key = @userKey AND key_hash = @keyHash", new { userKey, keyHash, outcome }, cancellationToken);

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private sealed record SendRow(string UserKey, string KeyHash, string MessageHash, long Posted, string? Outcome, string CreatedAt);
}
