using System.Collections;
using FlexAgentPlugin.Core.Conversations;

namespace FlexAgentPlugin.Core.AgentDesk;

/// <summary>One message of a conversation with the server's marks, and whether the customer wrote it.</summary>
public sealed record HistoryMessage(ConversationMessage Message, MessageMarks Marks, bool FromCustomer);

/// <summary>
/// A conversation's newest messages, oldest first, each told as the customer's or not. The customer is the author of
/// the messages a front door posted (a user of MCP or the GPT Action); in a channel's conversation, the author of its
/// first message that is not the AI's (agents join later).
/// </summary>
public sealed class ConversationHistory : IReadOnlyList<HistoryMessage>
{
    private readonly List<HistoryMessage> messages;

    private ConversationHistory(List<HistoryMessage> messages, string? customerAuthor)
    {
        this.messages = messages;
        CustomerAuthor = customerAuthor;
    }

    public string? CustomerAuthor { get; }

    public int Count => messages.Count;

    public HistoryMessage this[int index] => messages[index];

    public static async Task<ConversationHistory> ReadAsync(IConversationLog twilio, string conversationSid, int length, CancellationToken cancellationToken)
    {
        var read = (await twilio.ListMessagesAsync(conversationSid, newestFirst: true, length, cancellationToken)).Messages
            .OrderBy(m => m.Index).Select(m => (Message: m, Marks: MessageMarks.Read(m.Attributes))).ToList();
        var customer = read.FirstOrDefault(m => m.Marks.Source is { } source && source != MessageMarks.AiSource).Message?.Author
            ?? read.FirstOrDefault(m => !m.Marks.IsAi).Message?.Author;
        return new ConversationHistory(
            [.. read.Select(m => new HistoryMessage(m.Message, m.Marks, customer is not null && m.Message.Author == customer && !m.Marks.IsAi))], customer);
    }

    public IEnumerator<HistoryMessage> GetEnumerator() => messages.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
