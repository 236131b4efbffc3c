using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Routing;

namespace FlexAgentPlugin.Core.Responders;

/// <summary>
/// A language model answers first (<c>RESPONDER=ai-first</c>), in the user's conversation, and hands off to a Flex agent
/// when it should (<see cref="AiTurns"/>); from then on the agent answers. The turn runs on its own: its answer reaches
/// the waiting caller as any reply does.
/// </summary>
public sealed class AiFirstResponder(AiTurns turns) : IResponder
{
    public Task PrepareAsync(UserConversation conversation, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RespondAsync(UserConversation conversation, ConversationMessage message, CancellationToken cancellationToken) => Start(conversation);

    public Task ResumeAsync(UserConversation conversation, CancellationToken cancellationToken) => Start(conversation);

    private Task Start(UserConversation conversation)
    {
        // The conversation is a chat (the user's identity is its participant), whoever the verified customer is.
        turns.Enqueue(new AiConversation(conversation.Sid, conversation.Username, new Customer("identity", conversation.Username),
            FlexRouter.UserTaskAttributes(conversation.Username, conversation.Contact, conversation.Source.AttributeValue()),
            FromChannel: false));
        return Task.CompletedTask;
    }
}
