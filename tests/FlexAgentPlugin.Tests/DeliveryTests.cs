using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Exchanges;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The engine's delivery, as a door holds it: replies stay handed out once the door confirms, and are handed out again
/// when it abandons the delivery or lets it go unconfirmed, unless a later call has moved past them.
/// </summary>
/// <remarks>The delivery mark is the store's part: each runs on both stores.</remarks>
public sealed class DeliveryTests : OnEitherStore
{
    private const string PendingJson = $$"""{"status": "pending", "replies": [], "message": "{{AgentReplies.NotAnsweredYet}}"}""";

    private async Task StartAsync(string kind)
    {
        await StartAsync(kind, new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = ConversationEventsTests.PublicUrl });
        await Factory.Clock.RunUntilDoneAsync(PluginFactory.SendAsync(Client, "alice", "Hi"));
        Factory.Twilio.AgentSays(Sid, "Here is your answer.");
    }

    private string Sid => Factory.Twilio.Conversations.Single().Sid;

    [Theory, OnSqlite, OnPostgres]
    public async Task RepliesOfADeliveryLetGoUnconfirmedAreHandedOutAgain(string store)
    {
        await StartAsync(store);

        await using (var delivery = await FetchAsync())
        {
            Assert.Equal(["Here is your answer."], delivery.Outcome.Replies.Select(r => r.Text));
        }

        await JsonAssert.BodyEqualAsync("""{"status": "replied", "replies": ["Here is your answer."]}""", await Client.GetAsync("/replies/alice"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task RepliesOfAConfirmedDeliveryAreNotHandedOutAgain(string store)
    {
        await StartAsync(store);

        await using (var delivery = await FetchAsync())
        {
            delivery.Confirm();
        }

        await JsonAssert.BodyEqualAsync(PendingJson, await Client.GetAsync("/replies/alice"));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AbandoningADeliveryThatALaterCallMovedPastHandsNothingOutTwice(string store)
    {
        await StartAsync(store);
        await using var first = await FetchAsync();
        Factory.Twilio.AgentSays(Sid, "Anything else?");
        await using var second = await FetchAsync();
        second.Confirm();

        await first.AbandonAsync();

        Assert.Equal(["Anything else?"], second.Outcome.Replies.Select(r => r.Text));
        await JsonAssert.BodyEqualAsync(PendingJson, await Client.GetAsync("/replies/alice"));
    }

    private Task<Delivery> FetchAsync() =>
        Factory.Services.GetRequiredService<ConversationExchange>()
            .GetRepliesAsync(new RepliesRequest("alice", Contact: null, MessageSource.GptAction, TimeSpan.Zero), CancellationToken.None);
}
