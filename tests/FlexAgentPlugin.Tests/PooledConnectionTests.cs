using System.Net;
using FlexAgentPlugin.Tests.Infrastructure;
using Npgsql;

namespace FlexAgentPlugin.Tests;

/// <summary>The pool's connections are not reset between uses (no DISCARD ALL): nothing a statement leaves behind may reach the next use.</summary>
public sealed class PooledConnectionTests
{
    [PostgresFact]
    public async Task ADatabaseUrlAskingForMultiplexingStartsAndRelaysAReply()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database.ConnectionString + ";Multiplexing=true",
            ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl,
        });
        var client = factory.CreateClient();
        factory.Twilio.DeliversWebhooks = false;

        var send = PluginFactory.SendAsync(client, "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();
        var sid = factory.Twilio.Conversations.Single().Sid;
        factory.Twilio.AgentSays(sid, "Hello from Flex.");
        await factory.PostEventAsync(client, ("EventType", "onMessageAdded"), ("ConversationSid", sid), ("Author", EmulatedTwilio.AgentIdentity));

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Hello from Flex."]}""", await send.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

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
