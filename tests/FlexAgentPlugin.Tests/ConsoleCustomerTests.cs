using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The console's "Write as a customer" loses nothing, whoever answers: with people answering the customer goes straight
/// to Flex (the console's queue); with the AI first, through its webhook, and a webhook the server refuses is shown.
/// </summary>
public sealed class ConsoleCustomerTests
{
    [Fact]
    public async Task WithPeopleAnsweringACustomerWrittenInTheConsoleIsRoutedToTheAgentWithoutAnyWebhook()
    {
        using var factory = PluginFactory.Sandbox(new Dictionary<string, string?> { ["RESPONDER"] = "human" });
        var client = factory.CreateClient();

        var sent = await client.PostAsJsonAsync("/sandbox/api/channel-messages", new { address = "whatsapp:+15550123", body = "Do you ship to Canada?" });
        var queue = JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray();

        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var item = Assert.Single(queue)!;
        Assert.Equal(("whatsapp:+15550123", "Do you ship to Canada?", true, false), ((string?)item["customer"], (string?)item["lastMessage"], (bool)item["unanswered"]!, (bool)item["aiAnswering"]!));
        var conversation = factory.Services.GetRequiredService<EmulatorState>().Conversations().Single();
        Assert.Equal(["studio"], conversation.Webhooks.Select(w => w.Target));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Text.Contains("could not deliver a webhook", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWebhookTheServerRefusesIsShownOnTheCustomersConversation()
    {
        using var factory = PluginFactory.Sandbox(new Dictionary<string, string?> { ["RESPONDER"] = "ai-first" }, services =>
            services.AddHttpClient(SandboxSetup.WebhookClientName).ConfigurePrimaryHttpMessageHandler(() => new Refusing()));
        var client = factory.CreateClient();
        var state = factory.Services.GetRequiredService<EmulatorState>();

        var sent = await client.PostAsJsonAsync("/sandbox/api/channel-messages", new { address = "+15550123", body = "Hello?" });
        var sid = (string)(await sent.Content.ReadFromJsonAsync<JsonObject>())!["conversationSid"]!;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var seen = state.Version; state.Queue().Single().WebhookFailure is null;)
        {
            seen = await state.WaitForChangeAsync(seen, limit.Token);
        }

        var item = JsonNode.Parse(await client.GetStringAsync("/sandbox/api/conversations"))!.AsArray().Single()!;
        var view = JsonNode.Parse(await client.GetStringAsync($"/sandbox/api/conversations/{sid}"))!;
        Assert.Equal("Hello?", (string?)item["lastMessage"]);
        Assert.Equal("http://localhost:5002/twilio/ai-responder answered HTTP 503 (The AI responder is restarting.)", (string?)item["webhookFailure"]);
        Assert.Equal((string?)item["webhookFailure"], (string?)view["webhookFailure"]);
    }

    /// <summary>Answers every webhook as a server that cannot take it now would.</summary>
    private sealed class Refusing : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("""{"status": 503, "detail": "The AI responder is restarting."}""", Encoding.UTF8, "application/problem+json"),
            });
    }
}
