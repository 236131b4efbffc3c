using System.Net;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FlexAgentPlugin.Tests;

/// <summary>Twilio misbehaving: failures before and after applying a request, bursts of 429, calls that hang.</summary>
public sealed class FaultInjectionTests(ITestOutputHelper output) : IDisposable
{
    private readonly PluginFactory factory = new();

    [Fact]
    public async Task UnderRandomFailuresEveryReplyArrivesOnceAndNothingIsDuplicatedInTwilio()
    {
        const int Users = 20, ExchangesPerUser = 10;
        var random = new Random(2026);
        var burst = 0;
        var injected = new Dictionary<string, int> { ["503 before"] = 0, ["503 after"] = 0, ["429"] = 0 };
        var twilio = factory.Twilio;
        twilio.AutoReply = true;
        twilio.Intercept = _ =>
        {
            lock (random)
            {
                if (burst > 0 || random.NextDouble() < 0.02)
                {
                    burst = burst > 0 ? burst - 1 : 1;
                    injected["429"]++;
                    var tooMany = EmulatedTwilio.Error((HttpStatusCode)429, 20429, "Too Many Requests");
                    tooMany.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                    return Task.FromResult<HttpResponseMessage?>(tooMany);
                }

                if (random.NextDouble() < 0.05)
                {
                    injected["503 before"]++;
                    return Task.FromResult<HttpResponseMessage?>(EmulatedTwilio.Error(HttpStatusCode.ServiceUnavailable, 20503, "Service unavailable"));
                }

                return Task.FromResult<HttpResponseMessage?>(null);
            }
        };
        twilio.FailAfterApplying = _ =>
        {
            lock (random)
            {
                var fail = random.NextDouble() < 0.05;
                injected["503 after"] += fail ? 1 : 0;
                return fail;
            }
        };
        var client = factory.CreateClient();

        for (var round = 0; round < ExchangesPerUser; round++)
        {
            for (var user = 0; user < Users; user++)
            {
                var text = $"message {round} of user{user}";
                var response = await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, $"user{user}", text));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{text}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()} "
                    + string.Join(" | ", factory.Logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).TakeLast(3).Select(l => l.Text)));
                await JsonAssert.BodyEqualAsync($$"""{"status": "replied", "replies": ["{{EmulatedTwilio.AutoReplyTo(text)}}"]}""", response);
            }
        }

        output.WriteLine($"{Users * ExchangesPerUser} exchanges, {twilio.Requests.Count} Twilio requests, injected: {string.Join(", ", injected)}");
        Assert.True(injected.Values.All(count => count > 5), $"Too few faults were injected: {string.Join(", ", injected)}");
        Assert.Equal(Users, twilio.Conversations.Count);
        Assert.All(twilio.Conversations, c =>
        {
            Assert.Single(c.Participants, EmulatedTwilio.IsCustomer);
            Assert.Single(c.Webhooks, w => w.Target == "studio");
            var userMessages = c.Messages.Where(m => !m.FromAgent).Select(m => m.Body).ToList();
            Assert.Equal(ExchangesPerUser, userMessages.Count);
            Assert.Equal(userMessages.Count, userMessages.Distinct().Count());
        });
    }

    [Fact]
    public async Task CallThatHangsIsAbandonedAndRetried()
    {
        using var impatient = new PluginFactory(new Dictionary<string, string?> { ["TWILIO_TIMEOUT_SECONDS"] = "0.2" });
        var hung = 0;
        impatient.Twilio.AutoReply = true;
        impatient.Twilio.Intercept = async request =>
        {
            if (request.Method == "GET" && Interlocked.Increment(ref hung) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30));
            }

            return null;
        };

        var response = await impatient.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(impatient.CreateClient(), "alice", "hi"));

        await JsonAssert.BodyEqualAsync($$"""{"status": "replied", "replies": ["{{EmulatedTwilio.AutoReplyTo("hi")}}"]}""", response);
        Assert.Equal(2, impatient.Twilio.Count("GET", "/v1/Conversations/CH[0-9a-f]+/Messages"));
    }

    [Fact]
    public async Task RetriesExhaustedAnswer503WithRetryAfterAndStoreNothing()
    {
        factory.Twilio.Intercept = r => Task.FromResult(r.Path.EndsWith("/Participants", StringComparison.Ordinal)
            ? EmulatedTwilio.Error((HttpStatusCode)429, 20429, "Too Many Requests")
            : null);

        var response = await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(factory.CreateClient(), "alice", "hi"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(5, factory.Twilio.Count("POST", "/v1/Conversations/CH[0-9a-f]+/Participants"));
        Assert.Contains("after retrying", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"], StringComparison.Ordinal);
        Assert.Empty(factory.StoredRows());
    }

    public void Dispose() => factory.Dispose();
}
