using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>Caller auth (PLUGIN_BEARER_TOKEN) and the per-username and per-address rate limits.</summary>
public sealed class AccessTests
{
    private const string Token = "plugin-token-0123456789abcdef";

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-0123456789abcdef")]
    [InlineData("Basic cGx1Z2luOnRva2Vu")]
    [InlineData("Bearer")]
    public async Task WithATokenConfiguredCallsWithoutItAreRefused(string? authorization)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["PLUGIN_BEARER_TOKEN"] = Token });
        var client = factory.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var send = await PluginFactory.SendAsync(client, "alice", "hi");
        var replies = await client.GetAsync("/replies/alice");

        Assert.Equal(HttpStatusCode.Unauthorized, send.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replies.StatusCode);
        Assert.Equal("Bearer", send.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", send.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(Token, await send.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(factory.Twilio.Requests);
    }

    [Fact]
    public async Task WithTheRightTokenTheCallGoesThrough()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["PLUGIN_BEARER_TOKEN"] = Token });
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        var send = PluginFactory.SendAsync(client, "alice", "hi");
        await factory.Clock.WaitForArmedTimerAsync();
        factory.Twilio.AgentSays(factory.Twilio.Conversations.Single().Sid, "hello");

        Assert.Equal(HttpStatusCode.OK, (await factory.Clock.RunUntilDoneAsync(send)).StatusCode);
    }

    [Fact]
    public async Task PluginFilesStayPublicWithATokenAndDeclareBearerAuth()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?>
        {
            ["PLUGIN_BEARER_TOKEN"] = Token,
            ["OPENAI_VERIFICATION_TOKEN"] = "openai-verification-1",
        });
        var client = factory.CreateClient();

        var manifest = JsonNode.Parse(await client.GetStringAsync("/.well-known/ai-plugin.json"))!;
        var yaml = await client.GetStringAsync("/openapi.yaml");

        Assert.Equal("""{"type":"service_http","authorization_type":"bearer","verification_tokens":{"openai":"openai-verification-1"}}""", manifest["auth"]!.ToJsonString());
        Assert.Contains("\nsecurity:\n  - bearerAuth: []\n", yaml, StringComparison.Ordinal);
        Assert.Contains("    bearerAuth:\n      type: http\n      scheme: bearer\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, manifest.ToJsonString() + yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutATokenTheApiIsOpenAndTheServerWarns()
    {
        using var factory = new PluginFactory();
        var client = factory.CreateClient();

        var manifest = JsonNode.Parse(await client.GetStringAsync("/.well-known/ai-plugin.json"))!;
        var yaml = await client.GetStringAsync("/openapi.yaml");

        Assert.Equal("""{"type":"none"}""", manifest["auth"]!.ToJsonString());
        Assert.Contains("\nsecurity: []\n", yaml, StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && l.Text.Contains("PLUGIN_BEARER_TOKEN is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TooManyCallsForOneUsernameAre429WithRetryAfter()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["RATE_LIMIT_PER_USER"] = "2" });
        var client = factory.CreateClient();

        var first = await client.GetAsync("/replies/alice");
        var second = await client.GetAsync("/replies/alice");
        var third = await client.GetAsync("/replies/alice");
        var otherUser = await client.GetAsync("/replies/bob");

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, otherUser.StatusCode);
    }

    [Fact]
    public async Task TooManyCallsFromOneAddressAre429WhateverTheUsername()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["RATE_LIMIT_PER_ADDRESS"] = "3" });
        var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        foreach (var user in new[] { "a1", "a2", "a3", "a4" })
        {
            statuses.Add((await client.GetAsync($"/replies/{user}")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, (HttpStatusCode)429], statuses);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("PLUGIN_BEARER_TOKEN", "short")]
    [InlineData("RATE_LIMIT_PER_USER", "0")]
    [InlineData("RATE_LIMIT_PER_ADDRESS", "many")]
    [InlineData("MAX_MESSAGE_LENGTH", "2000")]
    public void MalformedAccessSettingStopsTheStart(string variable, string value) =>
        Assert.Contains(ConfigurationTests.StartFailures(new Dictionary<string, string?> { [variable] = value }),
            f => f.Contains(variable, StringComparison.Ordinal));
}
