using FlexAgentPlugin.Conversations;
using FlexAgentPlugin.Events;
using FlexAgentPlugin.Replies;
using FlexAgentPlugin.Routing;
using FlexAgentPlugin.Storage;
using FlexAgentPlugin.Twilio;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Relay;

/// <summary>
/// One exchange: post the user's message into their conversation (a new one if theirs is closed or gone),
/// in Interactions mode route a conversation that is not routed yet (so the task arrives with the message in it),
/// and wait, within the reply timeout, for the agent's answer.
/// </summary>
public sealed class MessageRelay(
    UserConversations conversations,
    ConversationsClient twilio,
    ConversationEvents events,
    EventsAddress eventsAddress,
    ConversationStore store,
    FlexInteractions interactions,
    ReplyWaiter waiter,
    IOptions<ReplyOptions> options)
{
    public async Task<AgentReplies> SendAsync(string username, string message, CancellationToken cancellationToken)
    {
        var userKey = UserConversations.UserKey(username);
        var conversation = await conversations.GetOrCreateAsync(username, gone: null, cancellationToken);
        var subscription = events.Subscribe(conversation.Sid);
        try
        {
            ConversationMessage posted;
            try
            {
                posted = await twilio.SendMessageAsync(conversation.Sid, username, message, cancellationToken);
            }
            catch (TwilioApiException error) when (!conversation.IsNew && UserConversations.IsGone(error))
            {
                await store.MarkClosedAsync(conversation.Sid, cancellationToken);
                subscription.Dispose();
                conversation = await conversations.GetOrCreateAsync(username, gone: conversation.Sid, cancellationToken);
                subscription = events.Subscribe(conversation.Sid);
                posted = await twilio.SendMessageAsync(conversation.Sid, username, message, cancellationToken);
            }

            if (conversation.LastDeliveredIndex is null)
            {
                // A row from before delivery marks were kept: what came before this message was already answered.
                await store.TryMarkDeliveredAsync(userKey, conversation.Sid, expected: null, posted.Index - 1, cancellationToken);
            }

            if (conversation.AwaitsInteraction)
            {
                await interactions.RouteUserConversationAsync(conversation.Sid, username, cancellationToken);
            }

            // With webhooks the agent's answer arrives as an event; without them, look right away and then poll.
            var webhooks = eventsAddress.CallbackUrl is not null;
            return await waiter.WaitAsync(userKey, username, subscription, options.Value.ReplyTimeout, lookFirst: !webhooks, cancellationToken);
        }
        finally
        {
            subscription.Dispose();
        }
    }
}
