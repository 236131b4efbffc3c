using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Telemetry;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Conversations;

/// <summary>One event of a conversation's webhook, as the conversation service sent it (any field may be missing).</summary>
public sealed record ConversationEventNotice(string? ConversationSid, string? Author, string? EventType, string? StateTo);

/// <summary>
/// What a conversation's event means for the engine: it wakes the requests waiting on that conversation at once, and a
/// closed conversation is recorded so the user's next message starts a new one.
/// </summary>
public sealed class ConversationEvents(IConversationSignals signals, IConversationStore store, ExchangeMetrics metrics, TimeProvider clock)
{
    public async Task ReceivedAsync(ConversationEventNotice notice, CancellationToken cancellationToken)
    {
        var conversationSid = notice.ConversationSid;
        if (string.IsNullOrEmpty(conversationSid))
        {
            return;
        }

        // A message's Body and Attributes may hold line breaks; the fields read here never do.
        if (new[] { conversationSid, notice.Author, notice.EventType, notice.StateTo }.Any(value => value?.Any(char.IsControl) == true))
        {
            throw new InvalidInputException("body", "The event has a value with control characters, which Twilio never sends.");
        }

        var closed = notice.EventType == "onConversationStateUpdated" && notice.StateTo == "closed";
        if (closed)
        {
            await store.MarkClosedAsync(conversationSid, cancellationToken);
        }

        await signals.PublishAsync(new ConversationEvent(conversationSid, notice.Author, closed, clock.GetUtcNow()), cancellationToken);
        metrics.WokenUp(crossInstance: false);
    }
}
