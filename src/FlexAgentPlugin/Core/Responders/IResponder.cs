using FlexAgentPlugin.Core.Conversations;

namespace FlexAgentPlugin.Core.Responders;

/// <summary>
/// Who answers a user's message. The exchange posts the message into the user's conversation between
/// <see cref="PrepareAsync"/> and <see cref="RespondAsync"/>, then hands out whatever is written in the conversation
/// after it (by an agent, or by an AI on the responder's behalf), exactly once.
/// </summary>
public interface IResponder
{
    /// <summary>Before the message is posted (e.g. the Studio webhook the message should trigger).</summary>
    Task PrepareAsync(UserConversation conversation, CancellationToken cancellationToken);

    /// <summary>After the message is in the conversation: makes sure someone answers it. A failure here loses nothing.</summary>
    Task RespondAsync(UserConversation conversation, ConversationMessage message, CancellationToken cancellationToken);

    /// <summary>A caller asks for replies: whatever <see cref="RespondAsync"/> could not finish is tried again.</summary>
    Task ResumeAsync(UserConversation conversation, CancellationToken cancellationToken);
}
