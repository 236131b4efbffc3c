using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Services;

namespace FlexAgentPlugin.Core.Conversations;

/// <summary>
/// The conversation service the engine talks to (Twilio Conversations in production): conversations, their
/// participants and scoped webhooks, and their messages, posted exactly once and read page by page. Failures are the
/// engine's own (<see cref="ServiceRefusedException"/>, <see cref="ServiceUnavailableException"/>).
/// </summary>
public interface IConversationLog
{
    /// <summary>Creates the conversation named <paramref name="uniqueName"/>, or returns the one that has that name (<see cref="Conversation.Existed"/>).</summary>
    Task<Conversation> CreateConversationAsync(string friendlyName, string uniqueName, string attributes, CancellationToken cancellationToken);

    /// <summary>The conversation (by SID or unique name), or null when the service no longer knows it.</summary>
    Task<Conversation?> FetchConversationAsync(string conversationSid, CancellationToken cancellationToken);

    /// <summary>Adds the chat participant; one already there counts as done.</summary>
    Task AddChatParticipantAsync(string conversationSid, string identity, CancellationToken cancellationToken);

    /// <summary>The conversation's participants (the first 50).</summary>
    Task<IReadOnlyList<Participant>> ListParticipantsAsync(string conversationSid, CancellationToken cancellationToken);

    /// <summary>The conversation's scoped webhooks (the first 50).</summary>
    Task<IReadOnlyList<ScopedWebhook>> ListWebhooksAsync(string conversationSid, CancellationToken cancellationToken);

    /// <summary>Routes the conversation's messages to a Studio flow.</summary>
    Task<ScopedWebhook> AddStudioWebhookAsync(string conversationSid, string flowSid, IEnumerable<string> filters, CancellationToken cancellationToken);

    /// <summary>Has the service POST the conversation's events (<paramref name="filters"/>) to <paramref name="url"/>.</summary>
    Task<ScopedWebhook> AddEventWebhookAsync(string conversationSid, string url, IEnumerable<string> filters, CancellationToken cancellationToken);

    /// <summary>
    /// Posts a message exactly once: it carries a client message id (<paramref name="clientMessageId"/> or a fresh one)
    /// that a retry looks for first; with <paramref name="lookFirst"/> the first send looks too.
    /// </summary>
    Task<ConversationMessage> SendMessageAsync(
        string conversationSid, string author, string body, JsonObject attributes, CancellationToken cancellationToken, string? clientMessageId = null, bool lookFirst = false,
        bool fireWebhooks = true);

    /// <summary>One page of messages, newest first when <paramref name="newestFirst"/>.</summary>
    Task<MessagePage> ListMessagesAsync(string conversationSid, bool newestFirst, int pageSize, CancellationToken cancellationToken);

    /// <summary>The page after <paramref name="page"/>, or null on the last page.</summary>
    Task<MessagePage?> NextPageAsync(MessagePage page, CancellationToken cancellationToken);
}
