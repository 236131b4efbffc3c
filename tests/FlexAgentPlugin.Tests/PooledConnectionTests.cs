using FlexAgentPlugin.Tests.Infrastructure;
using Npgsql;

namespace FlexAgentPlugin.Tests;

/// <summary>The pool's connections are not reset between uses (no DISCARD ALL): nothing a statement leaves behind may reach the next use.</summary>
public sealed class PooledConnectionTests
{
    [PostgresFact]
    public async Task ABatchThatFailsInsideItsTransactionLeavesNoTransactionOnThePooledConnection()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var pool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { NoResetOnClose = true, MaxPoolSize = 1 });

        await using (var first = await pool.OpenConnectionAsync())
        {
            await using var failing = new NpgsqlCommand("BEGIN; SET LOCAL synchronous_commit = off; SELECT 1 / 0; COMMIT;", first);
            await Assert.ThrowsAsync<PostgresException>(() => failing.ExecuteScalarAsync());
        }

        // The next use's statement commits by itself: another connection sees its row.
        await using (var next = await pool.OpenConnectionAsync())
        {
            await using var write = new NpgsqlCommand("CREATE TABLE after_the_batch (id int); INSERT INTO after_the_batch VALUES (1)", next);
            await write.ExecuteNonQueryAsync();
            await using var setting = new NpgsqlCommand("SELECT current_setting('synchronous_commit')", next);
            Assert.Equal("on", await setting.ExecuteScalarAsync());
        }

        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM after_the_batch"));
    }
}
