using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The typed clients over Twilio's SDK, against the emulator: what our handlers add to the SDK's requests (the caller's
/// cancellation, the configured host, the search for an earlier attempt) and how its failures reach us.
/// </summary>
public sealed class TwilioClientTests : IDisposable
{
    private readonly PluginFactory factory = new();

    private EmulatedTwilio Twilio => factory.Twilio;

    private ConversationsClient Conversations => factory.Services.GetRequiredService<ConversationsClient>();

    [Fact]
    public async Task TheCallersCancellationReachesTheRequestTwilioIsSlowToAnswer()
    {
        var sid = Twilio.AddConversation();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Twilio.Intercept = async _ =>
        {
            reached.TrySetResult();
            await Task.Delay(Timeout.Infinite);
            return null;
        };
        using var cancel = new CancellationTokenSource();

        var fetch = Conversations.FetchConversationAsync(sid, cancel.Token);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ALinkToTwiliosPublicHostIsSentToTheConfiguredBaseUrl()
    {
        var sid = Twilio.AddConversation();
        Twilio.AgentSays(sid, "Hello");

        var page = await Conversations.NextPageAsync(new MessagePage([], $"https://conversations.twilio.com/v1/Conversations/{sid}/Messages?Order=desc&PageSize=5"), default);

        Assert.Equal("Hello", Assert.Single(page!.Messages).Body);
    }

    [Fact]
    public async Task ALinkToAnotherHostIsNeverFollowedWithTheAccountsCredentials()
    {
        var sid = Twilio.AddConversation();
        var before = Twilio.Requests.Count;

        await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            Conversations.NextPageAsync(new MessagePage([], $"https://twilio.example.net/v1/Conversations/{sid}/Messages?PageSize=5"), default));

        Assert.Equal(before, Twilio.Requests.Count);
    }

    [Fact]
    public async Task AnErrorTwilioAnswersWithoutItsJsonBodyKeepsItsStatus()
    {
        var sid = Twilio.AddConversation();
        Twilio.Intercept = _ => Task.FromResult<HttpResponseMessage?>(new(HttpStatusCode.NotFound) { Content = new StringContent("<html>Not Found</html>", Encoding.UTF8, "text/html") });

        Assert.Null(await Conversations.FetchConversationAsync(sid, default));
    }

    [Fact]
    public async Task AMessageWhoseAnswerWasLostIsFoundNotPostedTwice()
    {
        var sid = Twilio.AddConversation();
        var failed = 0;
        Twilio.FailAfterApplying = r => r.Method == "POST" && r.Path.EndsWith("/Messages", StringComparison.Ordinal) && Interlocked.Increment(ref failed) == 1;

        var sent = await factory.Clock.RunUntilDoneAsync(Conversations.SendMessageAsync(sid, "alice", "Where is my order?", new JsonObject(), default));

        var message = Assert.Single(Twilio.Conversations.Single(c => c.Sid == sid).Messages);
        Assert.Equal(message.Sid, sent.Sid);
        Assert.Equal(1, Twilio.Count("POST", "/v1/Conversations/CH[0-9a-f]+/Messages"));
    }

    [Fact]
    public async Task AStudioWebhookWhoseAnswerWasLostIsFoundNotAddedTwice()
    {
        var sid = Twilio.AddConversation();
        var failed = 0;
        Twilio.FailAfterApplying = r => r.Method == "POST" && r.Path.EndsWith("/Webhooks", StringComparison.Ordinal) && Interlocked.Increment(ref failed) == 1;

        var webhook = await factory.Clock.RunUntilDoneAsync(Conversations.AddStudioWebhookAsync(sid, PluginFactory.FlowSid, ["onMessageAdded"], default));

        var added = Assert.Single(Twilio.Conversations.Single(c => c.Sid == sid).Webhooks);
        Assert.Equal(added.Sid, webhook.Sid);
        Assert.Equal(PluginFactory.FlowSid, webhook.Configuration?.FlowSid);
        Assert.Equal(1, Twilio.Count("POST", "/v1/Conversations/CH[0-9a-f]+/Webhooks"));
    }

    public void Dispose() => factory.Dispose();
}
