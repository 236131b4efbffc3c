using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// PostgreSQL goes away for a while (a restart, a fail-over) while callers wait: a call whose message is already in the
/// conversation answers pending, never an error that would invite the message again, and the reply stays fetchable.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private PostgresDatabase database = null!;
    private PluginFactory factory = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        if (PostgresDatabase.Server is null)
        {
            return;
        }

        database = await PostgresDatabase.CreateAsync();
        factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database.ConnectionString,
            ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl,
            ["OAUTH"] = "off",
        });
        factory.Twilio.DeliversWebhooks = false;
        client = factory.CreateClient();
    }

    [PostgresFact]
    public async Task CallersWaitingWhenTheDatabaseGoesAwayAnswerPendingAndTheirRepliesStayFetchable()
    {
        string[] users = ["alice", "bob", "carol", "dave"];
        await using var mcp = await McpConnection.ConnectAsync(factory);
        var sends = users[..3].Select(user => PluginFactory.SendAsync(client, user, $"Hello from {user}")).ToList();
        var asked = mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Hello from dave", ["user"] = "dave" }).AsTask();
        await factory.Twilio.WaitUntilAsync(() => factory.Twilio.Conversations.Count == users.Length && factory.Twilio.Conversations.All(c => c.Messages.Count == 1));
        await factory.Clock.WaitForArmedTimerAsync();

        await database.RefuseConnectionsAsync();
        var answers = new List<HttpResponseMessage>();
        foreach (var send in sends)
        {
            answers.Add(await factory.Clock.RunUntilDoneAsync(send));
        }

        var toolResult = await factory.Clock.RunUntilDoneAsync(asked);
        await database.AcceptConnectionsAsync();
        foreach (var answer in answers)
        {
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
            Assert.Equal("pending", (string?)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
        }

        Assert.True(toolResult.IsError != true, toolResult.Text());
        Assert.Equal("pending", toolResult.Structured("status"));

        foreach (var conversation in factory.Twilio.Conversations)
        {
            Assert.Single(conversation.Messages, m => !m.FromAgent);
            factory.Twilio.AgentSays(conversation.Sid, $"Answer in {conversation.Sid}");
        }

        foreach (var user in users)
        {
            var replies = await client.GetAsync($"/replies/{user}");
            Assert.Equal(HttpStatusCode.OK, replies.StatusCode);
            Assert.StartsWith("Answer in CH", (string?)(await replies.Content.ReadFromJsonAsync<JsonObject>())!["replies"]![0], StringComparison.Ordinal);
        }
    }

    [PostgresFact]
    public async Task AStoreFailureRightAfterThePostAnswersPendingAndARepeatOfItsKeyHereReturnsInTime() =>
        await RepeatAfterAStoreFailureRightAfterThePostAsync(onOtherInstance: false);

    [PostgresFact]
    public async Task AStoreFailureRightAfterThePostAnswersPendingAndARepeatOfItsKeyOnAnotherInstanceReturnsInTime() =>
        await RepeatAfterAStoreFailureRightAfterThePostAsync(onOtherInstance: true);

    /// <summary>
    /// The database goes away as Twilio takes the message: the post is not recorded and the lock on the key is not
    /// released. The caller is told pending; its repeat, once the database is back, neither posts again nor waits on the
    /// lease left behind.
    /// </summary>
    private async Task RepeatAfterAStoreFailureRightAfterThePostAsync(bool onOtherInstance)
    {
        using var other = new PluginFactory(factory.Settings, factory.Twilio);
        var repeatingOn = onOtherInstance ? other : factory;
        using var repeatingClient = repeatingOn.CreateClient();
        var outages = 0;
        factory.Twilio.Intercept = async request =>
        {
            if (request.Method == "POST" && request.Path.EndsWith("/Messages", StringComparison.Ordinal) && Interlocked.Increment(ref outages) == 1)
            {
                await database.RefuseConnectionsAsync();
            }

            return null;
        };

        var first = await factory.Clock.RunUntilDoneAsync(client.SendAsync(WithKey("alice", "Where is my order?", "order-question-1")));
        await database.AcceptConnectionsAsync();
        factory.Twilio.AgentSays(factory.Twilio.Conversations.Single().Sid, "It ships today.");
        var asked = repeatingOn.Clock.GetUtcNow();
        var repeat = repeatingClient.SendAsync(WithKey("alice", "Where is my order?", "order-question-1"));
        await Task.WhenAll(factory.Clock.RunUntilDoneAsync(repeat), other.Clock.RunUntilDoneAsync(repeat));

        Assert.True(first.StatusCode == HttpStatusCode.OK, $"{(int)first.StatusCode} {await first.Content.ReadAsStringAsync()}");
        Assert.Equal("pending", (string?)(await first.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["It ships today."]}""", await repeat);
        Assert.True(repeatingOn.Clock.GetUtcNow() - asked < TimeSpan.FromSeconds(40), "The repeat waited past the reply timeout.");
        Assert.Single(factory.Twilio.Conversations.Single().Messages, m => !m.FromAgent);
    }

    [PostgresFact]
    public async Task ALeaseLeftBehindByAnOutageIsTakenOverAtOnceByTheInstanceThatLeftIt()
    {
        var locks = factory.Services.GetRequiredService<IKeyedLock>();
        var held = await locks.AcquireAsync("send:left-behind", CancellationToken.None);
        await database.RefuseConnectionsAsync();
        await held.DisposeAsync();
        await database.AcceptConnectionsAsync();

        await using var again = await locks.AcquireAsync("send:left-behind", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM key_locks WHERE lock_key = 'send:left-behind'"));
    }

    private static HttpRequestMessage WithKey(string username, string msg, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/send/{username}") { Content = JsonContent.Create(new { msg }) };
        request.Headers.Add(GptActionEndpoints.IdempotencyKeyHeader, idempotencyKey);
        return request;
    }

    public async Task DisposeAsync()
    {
        if (database is null)
        {
            return;
        }

        try
        {
            factory.Dispose();
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
