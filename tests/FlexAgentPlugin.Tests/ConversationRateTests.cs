using System.Net;
using FlexAgentPlugin.Backends.Postgres;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Tests.Infrastructure;
using Npgsql;

namespace FlexAgentPlugin.Tests;

public sealed class ConversationRateTests
{
    [Fact]
    public async Task CallsBeyondThirtyPerSecondOnOneConversationWaitInsteadOfGoingOut()
    {
        var sent = 0;
        using var invoker = new HttpMessageInvoker(new ConversationRateHandler(new ConversationActionLimiter(TimeProvider.System)) { InnerHandler = new Stub(() => Interlocked.Increment(ref sent)) });
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
        using var invoker = new HttpMessageInvoker(new ConversationRateHandler(new ConversationActionLimiter(TimeProvider.System)) { InnerHandler = new Stub(() => Interlocked.Increment(ref sent)) });

        var calls = Enumerable.Range(0, 100)
            .Select(i => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"https://twilio.test/v1/Conversations/CH{Guid.NewGuid():N}/Messages"), CancellationToken.None))
            .ToList();

        Assert.All(calls, call => Assert.True(call.IsCompleted));
        Assert.Equal(100, sent);
        await Task.WhenAll(calls);
    }

    [PostgresFact]
    public async Task TwoInstancesActingOnOneConversationTogetherStayWithinThirtyASecond()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var clock = new ManualClock();
        await using var databaseOfA = NpgsqlDataSource.Create(database.ConnectionString);
        await using var databaseOfB = NpgsqlDataSource.Create(database.ConnectionString);
        var storeOfA = new PostgresStore(databaseOfA, clock);
        await storeOfA.InitializeAsync(CancellationToken.None);
        var sent = 0;
        using var limiterOfA = new ConversationActionLimiter(clock, storeOfA);
        using var limiterOfB = new ConversationActionLimiter(clock, new PostgresStore(databaseOfB, clock));
        using var a = new HttpMessageInvoker(new ConversationRateHandler(limiterOfA) { InnerHandler = new Stub(() => Interlocked.Increment(ref sent)) });
        using var b = new HttpMessageInvoker(new ConversationRateHandler(limiterOfB) { InnerHandler = new Stub(() => Interlocked.Increment(ref sent)) });
        var url = $"https://twilio.test/v1/Conversations/CH{Guid.NewGuid():N}/Messages";

        var calls = Enumerable.Range(0, 45)
            .SelectMany(_ => new[] { a.SendAsync(new HttpRequestMessage(HttpMethod.Post, url), CancellationToken.None), b.SendAsync(new HttpRequestMessage(HttpMethod.Post, url), CancellationToken.None) })
            .ToList();

        // Time stands still: thirty go out in this second, between them, and no more however long it is waited.
        Assert.Equal(30, await SettledAsync(() => sent));

        // Each second after, at most thirty more (permits one instance took and did not need are lost to the other).
        var before = 30;
        for (var second = 1; before < 90 && second <= 10; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var now = await SettledAsync(() => sent);
            Assert.InRange(now - before, 1, 30);
            before = now;
        }

        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(90, sent);
    }

    /// <summary>How many calls have gone out once no more have for a while (the clock stands still meanwhile).</summary>
    private static async Task<int> SettledAsync(Func<int> sent)
    {
        var seen = -1;
        for (var looks = 0; sent() != seen && looks < 50; looks++)
        {
            seen = sent();
            await Task.Delay(200);
        }

        return seen;
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
