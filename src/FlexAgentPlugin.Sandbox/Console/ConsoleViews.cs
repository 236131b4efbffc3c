using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// What the console shows of the emulator's conversations. One entry per customer conversation, except that a closed
/// conversation followed by a newer one of the same customer (they wrote again) is shown inside the newer one, as its
/// earlier history, not as a second entry.
/// </summary>
internal static class ConsoleViews
{
    public static IEnumerable<QueueItem> Queue(IReadOnlyList<ConversationSnapshot> conversations)
    {
        var byCustomer = conversations.ToLookup(c => c.Customer, StringComparer.Ordinal);
        return conversations
            .Where(c => !(c.State == "closed" && byCustomer[c.Customer].Any(later => later.Created > c.Created)))
            .Select(c =>
            {
                var last = c.Messages.Count > 0 ? c.Messages[^1] : null;
                return new QueueItem(c.Sid, c.Customer, c.State, last?.Created, last?.Body,
                    Unanswered: c.Routed && c.Messages.LastOrDefault(m => !m.FromAi) is { FromAgent: false } && c.State != "closed",
                    AttributeJson.Source(c.Attributes), AiAnswering: !c.Routed, Earlier: Earlier(byCustomer[c.Customer], c).Count(), c.WebhookFailure);
            });
    }

    public static ConversationView Conversation(IReadOnlyList<ConversationSnapshot> conversations, ConversationSnapshot c) =>
        new(c.Sid, c.Customer, c.State, AttributeJson.Source(c.Attributes), AiAnswering: !c.Routed, Messages(c), c.WebhookFailure,
            [.. Earlier(conversations, c).OrderBy(e => e.Created).Select(e => new EarlierConversation(e.Sid, e.State, e.Created, Messages(e)))]);

    /// <summary>The customer's conversations before this one that were closed: their history.</summary>
    private static IEnumerable<ConversationSnapshot> Earlier(IEnumerable<ConversationSnapshot> candidates, ConversationSnapshot c) =>
        candidates.Where(e => e.Sid != c.Sid && e.State == "closed" && e.Customer == c.Customer && e.Created < c.Created);

    private static List<MessageView> Messages(ConversationSnapshot c) =>
        [.. c.Messages.Select(m => new MessageView(m.Index, m.Author, m.Body ?? "", m.Created, m.FromAgent, AgentName(m), AttributeJson.Source(m.Attributes),
            AttributeJson.Handoff(m.Attributes) is { } handoff ? new HandoffView(handoff.Reason, handoff.Summary) : null))];

    /// <summary>Who of the agents wrote: "You" (this console), the simulated agent, or another agent by identity.</summary>
    private static string? AgentName(EmulatedMessage message) =>
        !message.FromAgent ? null
        : message.Author == EmulatorState.AgentIdentity ? "You"
        : message.Author == EmulatorState.SimulatedAgentIdentity ? "Simulated agent"
        : message.Author;
}

/// <summary>An entry of the console's list; <see cref="Earlier"/> counts the customer's earlier (closed) conversations.</summary>
internal sealed record QueueItem(
    string Sid, string Customer, string State, DateTimeOffset? LastMessageAt, string? LastMessage, bool Unanswered, string? Source, bool AiAnswering,
    int Earlier, string? WebhookFailure);

internal sealed record ConversationView(
    string Sid, string Customer, string State, string? Source, bool AiAnswering, IReadOnlyList<MessageView> Messages, string? WebhookFailure,
    IReadOnlyList<EarlierConversation> Earlier);

/// <summary>A closed conversation of the same customer, before the one shown.</summary>
internal sealed record EarlierConversation(string Sid, string State, DateTimeOffset CreatedAt, IReadOnlyList<MessageView> Messages);

/// <summary>
/// A message; <see cref="AgentName"/> says which agent wrote an agent's message, <see cref="Source"/> "ai" marks the AI's,
/// with <see cref="Handoff"/> on its hand-off notice.
/// </summary>
internal sealed record MessageView(
    int Index, string Author, string Body, DateTimeOffset CreatedAt, bool FromAgent, string? AgentName, string? Source, HandoffView? Handoff);

internal sealed record HandoffView(string Reason, string Summary);
