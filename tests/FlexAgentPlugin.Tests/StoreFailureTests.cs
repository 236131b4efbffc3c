using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Backends.Sqlite;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>The embedded store failing once the message is posted: the caller is told pending, as for PostgreSQL (<see cref="DatabaseOutageTests"/>).</summary>
public sealed class StoreFailureTests
{
    [Fact]
    public async Task AnSqliteFailureAfterThePostAnswersPending()
    {
        FailingStore? store = null;
        using var sqlite = new PluginFactory(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl })
        {
            TestServices = services => services.AddSingleton<IConversationStore>(provider => store = new FailingStore(provider.GetRequiredService<SqliteStore>())),
        };
        sqlite.Twilio.DeliversWebhooks = false;
        sqlite.Twilio.Intercept = request =>
        {
            if (request.Method == "POST" && request.Path.EndsWith("/Messages", StringComparison.Ordinal))
            {
                store!.Failing = true;
            }

            return Task.FromResult<HttpResponseMessage?>(null);
        };

        var answer = await sqlite.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(sqlite.CreateClient(), "alice", "Hello"));

        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        Assert.Equal("pending", (string?)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
        Assert.Single(sqlite.Twilio.Conversations.Single().Messages);
    }
}

/// <summary>The embedded store, failing as SQLite does when its file cannot be read, once <see cref="Failing"/>.</summary>
internal sealed class FailingStore(IConversationStore inner) : IConversationStore
{
    public volatile bool Failing;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);

    public Task<StoredConversation?> FindAsync(string userKey, CancellationToken cancellationToken) =>
        Failing ? Task.FromException<StoredConversation?>(Failure()) : inner.FindAsync(userKey, cancellationToken);

    public Task SaveNewAsync(string userKey, string conversationSid, CancellationToken cancellationToken) =>
        Failing ? Task.FromException(Failure()) : inner.SaveNewAsync(userKey, conversationSid, cancellationToken);

    public Task MarkClosedAsync(string conversationSid, CancellationToken cancellationToken) =>
        Failing ? Task.FromException(Failure()) : inner.MarkClosedAsync(conversationSid, cancellationToken);

    public Task<bool> TryMoveDeliveryMarkAsync(string userKey, string conversationSid, long? expected, long moveTo, CancellationToken cancellationToken) =>
        Failing ? Task.FromException<bool>(Failure()) : inner.TryMoveDeliveryMarkAsync(userKey, conversationSid, expected, moveTo, cancellationToken);

    private static SqliteException Failure() => new("SQLite Error 10: 'disk I/O error'.", 10);
}
