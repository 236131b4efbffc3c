using FlexAgentPlugin.Backends.InProcess;
using System.Net;
using FlexAgentPlugin.Backends.Twilio;

namespace FlexAgentPlugin.Tests;

public sealed class ConversationRateTests
{
    [Fact]
    public async Task CallsBeyondThirtyPerSecondOnOneConversationWaitInsteadOfGoingOut()
    {
        var sent = 0;
        using var invoker = new HttpMessageInvoker(new ConversationRateHandler(new ConversationActionLimiter(new InProcessRateWindows())) { InnerHandler = new Stub(() => Interlocked.Increment(ref sent)) });
        var conversation = "CH" + Guid.NewGuid().ToString("N");

        // 61 at once: the bucket holds 30, and at most one refill (30 more) can fall inside this burst.
        var calls = Enumerable.Range(0, 61)
            .Select(_ => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"https://twilio.test/v1/Conversations/{conversation}/Messages"), CancellationToken.None))
            .ToList();

        Assert.True(Volatile.Read(ref sent) <= 60, $"{sent} calls went out at once.");
        Assert.Contains(calls, call => !call.IsCompleted);
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(61, sent);
    }

    [Fact]
    public async Task OtherConversationsAreNotHeldBack()
    {
        var sent = 0;
        using var invoker = new HttpMessageInvoker(new ConversationRateHandler(new ConversationActionLimiter(new InProcessRateWindows())) { InnerHandler = new Stub(() => Interlocked.Increment(ref sent)) });

        var calls = Enumerable.Range(0, 100)
            .Select(i => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"https://twilio.test/v1/Conversations/CH{Guid.NewGuid():N}/Messages"), CancellationToken.None))
            .ToList();

        Assert.All(calls, call => Assert.True(call.IsCompleted));
        Assert.Equal(100, sent);
        await Task.WhenAll(calls);
    }

    private sealed class Stub(Action onSend) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
