using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Routing;

namespace FlexAgentPlugin.Core.Responders;

/// <summary>A human agent in Flex answers: the conversation is routed to Flex once, by Studio or by an Interaction.</summary>
public sealed class HumanAgentResponder(FlexRouter router) : IResponder
{
    public Task PrepareAsync(UserConversation conversation, CancellationToken cancellationToken) =>
        router.PrepareStudioAsync(conversation.Sid, conversation.Fresh, cancellationToken);

    public Task RespondAsync(UserConversation conversation, ConversationMessage message, CancellationToken cancellationToken) =>
        router.RouteUserConversationAsync(conversation.Sid, conversation.Username, conversation.Contact, conversation.Source.AttributeValue(), cancellationToken);

    public Task ResumeAsync(UserConversation conversation, CancellationToken cancellationToken) =>
        router.RouteUserConversationAsync(conversation.Sid, conversation.Username, conversation.Contact, conversation.Source.AttributeValue(), cancellationToken);
}
