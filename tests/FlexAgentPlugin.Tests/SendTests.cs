using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

public sealed class SendTests : IDisposable
{
    private readonly PluginFactory factory = new();
    private readonly HttpClient client;

    public SendTests() => client = factory.CreateClient();

    private EmulatedTwilio Twilio => factory.Twilio;

    [Fact]
    public async Task SendReturnsTheAgentsReply()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Where is my order?");
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(Twilio.Conversations.Single().Sid, "It ships today.");

        var response = await factory.Clock.RunUntilDoneAsync(send);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["It ships today."]}""", response);
    }

    [Fact]
    public async Task SendKeepsWaitingUntilTheAgentAnswers()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Hello?");

        for (var poll = 1; poll <= 2; poll++)
        {
            var timer = await factory.Clock.WaitForArmedTimerAsync();
            Assert.False(send.IsCompleted);
            Assert.Equal(TimeSpan.FromSeconds(15), timer.DueAt - factory.Clock.GetUtcNow());
            factory.Clock.Advance(TimeSpan.FromSeconds(15));
        }

        await factory.Clock.WaitForArmedTimerAsync();
        Assert.Equal(3, Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages"));

        Twilio.AgentSays(Twilio.Conversations.Single().Sid, "Sorry for the wait!");
        var response = await factory.Clock.RunUntilDoneAsync(send);

        Assert.Equal(["Sorry for the wait!"], (await response.Content.ReadFromJsonAsync<AgentReplies>())!.Replies);
    }

    [Fact]
    public async Task ReturningUserKeepsTheirConversation()
    {
        await ExchangeAsync("alice", "First question", "First answer");

        var second = await ExchangeAsync("alice", "Second question", "Second answer");

        Assert.Equal(["Second answer"], second.Replies);
        Assert.Single(Twilio.Conversations);
        Assert.Equal(1, Twilio.Count("POST", "/v1/Conversations"));
        Assert.Single(factory.StoredRows());
    }

    [Fact]
    public async Task DifferentUsersGetDifferentConversations()
    {
        await ExchangeAsync("alice", "Hi", "Hi Alice");
        await ExchangeAsync("bob", "Hi", "Hi Bob");

        Assert.Equal(2, Twilio.Conversations.Count);
        Assert.Equal(2, factory.StoredRows().Count);
    }

    [Fact]
    public async Task ClosedConversationIsReplacedByANewOne()
    {
        await ExchangeAsync("alice", "Hi", "Hello");
        var first = Twilio.Conversations.Single().Sid;
        Twilio.Close(first);

        var reply = await ExchangeAsync("alice", "Me again", "Welcome back");

        Assert.Equal(["Welcome back"], reply.Replies);
        var second = Assert.Single(Twilio.Conversations, c => c.Sid != first);
        Assert.Equal(second.Sid, Assert.Single(factory.StoredRows()).ConversationSid);
        Assert.Equal(["alice"], second.Participants);
    }

    [Fact]
    public async Task VanishedConversationIsReplacedByANewOne()
    {
        await ExchangeAsync("alice", "Hi", "Hello");
        Twilio.Delete(Twilio.Conversations.Single().Sid);

        var reply = await ExchangeAsync("alice", "Me again", "Welcome back");

        Assert.Equal(["Welcome back"], reply.Replies);
        Assert.Equal(Twilio.Conversations.Single().Sid, Assert.Single(factory.StoredRows()).ConversationSid);
    }

    [Fact]
    public async Task SendReportsClosedWhenTheAgentClosesTheConversation()
    {
        var send = PluginFactory.SendAsync(client, "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.Close(Twilio.Conversations.Single().Sid);

        var response = await factory.Clock.RunUntilDoneAsync(send);

        await JsonAssert.BodyEqualAsync("""{"status": "closed", "replies": []}""", response);
    }

    [Fact]
    public async Task RepliesAreTheAgentsMessagesAfterTheUsersMessageInOrder()
    {
        await ExchangeAsync("alice", "Hi", "An answer to an earlier question");
        var conversation = Twilio.Conversations.Single().Sid;
        var send = PluginFactory.SendAsync(client, "alice", "New question");
        await factory.Clock.WaitForArmedTimerAsync();
        Twilio.AgentSays(conversation, "First part");
        Twilio.AgentSays(conversation, "A second message by the user", author: "alice");
        Twilio.AgentSays(conversation, "Second part", author: "another-agent");

        var response = await factory.Clock.RunUntilDoneAsync(send);

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["First part", "Second part"]}""", response);
    }

    [Fact]
    public async Task ConcurrentFirstMessagesOfOneUserShareOneConversation()
    {
        var createHeld = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Twilio.Intercept = async r =>
        {
            if (r.Method == "POST" && r.Path == "/v1/Conversations")
            {
                createHeld.TrySetResult();
                await release.Task;
            }

            return null;
        };
        var sends = Enumerable.Range(0, 5).Select(i => PluginFactory.SendAsync(client, "alice", $"Message {i}")).ToList();
        await createHeld.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        release.SetResult();
        await Twilio.WaitForRequestAsync(_ => Twilio.Count("POST", "/v1/Conversations/CH[0-9a-f]+/Messages") == 5);
        Twilio.AgentSays(Twilio.Conversations.Single().Sid, "One answer for all");

        var responses = await Task.WhenAll(sends.Select(factory.Clock.RunUntilDoneAsync));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, Twilio.Count("POST", "/v1/Conversations"));
        Assert.Single(factory.StoredRows());
    }

    [Fact]
    public async Task CallerHangingUpStopsThePolling()
    {
        using var hangUp = new CancellationTokenSource();
        var send = PluginFactory.SendAsync(client, "alice", "Hello?", hangUp.Token);
        var timer = await factory.Clock.WaitForArmedTimerAsync();
        var callsBefore = Twilio.Requests.Count;

        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        await timer.Disposed.WaitAsync(TimeSpan.FromSeconds(10));
        factory.Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(callsBefore, Twilio.Requests.Count);
    }

    [Fact]
    public async Task UserIsStoredOnlyAsTheSha256OfTheUsername()
    {
        await ExchangeAsync("alice-private-name", "Hi", "Hello");

        var row = Assert.Single(factory.StoredRows());
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("alice-private-name")));
        Assert.Equal(expected, row.UserKey);
        Assert.Equal(Twilio.Conversations.Single().Sid, row.ConversationSid);
        Assert.DoesNotContain("alice-private-name", Encoding.UTF8.GetString(await File.ReadAllBytesAsync(factory.DatabasePath)), StringComparison.Ordinal);
    }

    public void Dispose() => factory.Dispose();

    /// <summary>One full exchange: the user sends, the agent answers once the server is waiting.</summary>
    private async Task<AgentReplies> ExchangeAsync(string username, string msg, string answer)
    {
        var send = PluginFactory.SendAsync(client, username, msg);
        await factory.Clock.WaitForArmedTimerAsync();
        var userKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(username)));
        Twilio.AgentSays(factory.StoredRows().Single(r => r.UserKey == userKey).ConversationSid, answer);
        var response = await factory.Clock.RunUntilDoneAsync(send);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AgentReplies>())!;
    }
}
