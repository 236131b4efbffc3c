using System.Net;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>Twilio faults become 502/503 ProblemDetails that never echo credentials, and leave SQLite consistent.</summary>
public sealed class TwilioFailureTests : IDisposable
{
    private readonly PluginFactory factory = new();

    [Fact]
    public async Task RefusedCredentialsAnswer502WithoutEchoingThem()
    {
        factory.Twilio.Password = "the-token-twilio-expects";

        var response = await PluginFactory.SendAsync(factory.CreateClient(), "alice", "hi");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("credentials", (string?)JsonNode.Parse(body)!["title"], StringComparison.Ordinal);
        Assert.DoesNotContain(PluginFactory.AuthToken, body, StringComparison.Ordinal);
        Assert.DoesNotContain(PluginFactory.AccountSid, body, StringComparison.Ordinal);
        Assert.Empty(factory.StoredRows());
    }

    [Fact]
    public async Task TwilioServerErrorAnswers503WithRetryAfter()
    {
        factory.Twilio.Intercept = _ => Task.FromResult<HttpResponseMessage?>(
            EmulatedTwilio.Error(HttpStatusCode.ServiceUnavailable, 20503, "Service unavailable"));

        var response = await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(factory.CreateClient(), "alice", "hi"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(5, factory.Twilio.Count("POST", "/v1/Conversations"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Empty(factory.StoredRows());
    }

    [Fact]
    public async Task UnreachableTwilioAnswers503()
    {
        factory.Twilio.Intercept = _ => throw new HttpRequestException("Connection refused");

        var response = await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(factory.CreateClient(), "alice", "hi"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not be reached", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectedRequestAnswers502WithTwiliosErrorCode()
    {
        factory.Twilio.Intercept = r => Task.FromResult(r.Path.EndsWith("/Webhooks", StringComparison.Ordinal)
            ? EmulatedTwilio.Error(HttpStatusCode.BadRequest, 50300, "Invalid flow")
            : null);

        var response = await PluginFactory.SendAsync(factory.CreateClient(), "alice", "hi");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var detail = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"];
        Assert.Contains("50300", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid flow", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedSetupStoresNothingAndTheNextMessageCompletesTheSameConversation()
    {
        factory.Twilio.Intercept = r => Task.FromResult(r.Path.EndsWith("/Participants", StringComparison.Ordinal)
            ? EmulatedTwilio.Error(HttpStatusCode.InternalServerError, 20500, "Internal error")
            : null);
        var client = factory.CreateClient();

        var failed = await factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(client, "alice", "hi"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Empty(factory.StoredRows());

        factory.Twilio.Intercept = null;
        var send = PluginFactory.SendAsync(client, "alice", "hi again");
        await factory.Clock.WaitForArmedTimerAsync();
        var routed = factory.Twilio.Conversations.Single(c => c.Webhooks.Count == 1);
        factory.Twilio.AgentSays(routed.Sid, "Hello!");
        var response = await factory.Clock.RunUntilDoneAsync(send);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(routed.Sid, Assert.Single(factory.StoredRows()).ConversationSid);
        Assert.Single(factory.Twilio.Conversations);
        Assert.Equal(["alice"], routed.Participants);
    }

    [Fact]
    public async Task SandboxOffWithoutAnAccountAnswers503NamingTheSettings()
    {
        using var unconfigured = new PluginFactory(new Dictionary<string, string?>
        {
            ["SANDBOX"] = "false",
            ["ACCOUNT_SID"] = "",
            ["AUTH_TOKEN"] = "",
            ["CONV_FLOW"] = "",
        });

        var response = await PluginFactory.SendAsync(unconfigured.CreateClient(), "alice", "hi");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("ACCOUNT_SID", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(unconfigured.Twilio.Requests);
    }

    public void Dispose() => factory.Dispose();
}
