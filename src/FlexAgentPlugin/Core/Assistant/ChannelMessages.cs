using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.Assistant;

/// <summary>A message added to a customer's channel conversation (SMS, WhatsApp, web chat), as its webhook reported it.</summary>
public sealed record ChannelMessage(string ConversationSid, string MessageSid, string Author, string? Attributes);

/// <summary>
/// The AI's answers to customers on channels: each message is taken on once (the webhook is retried), and a turn is
/// queued for its conversation (<see cref="AiTurns"/>). The AI's own messages and those of /send and MCP users (the
/// relay answers those) are left alone.
/// </summary>
public sealed class ChannelMessages(AiTurns turns, IEventClaims claims)
{
    /// <summary>True when the message was taken on and a turn queued; false when it is not for the AI or was taken before.</summary>
    public async Task<bool> ReceivedAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        if (MessageMarks.Read(message.Attributes).Source is not null || message.Author == AiTurns.AiAuthor)
        {
            // The AI's own message, or a /send or MCP user's (their conversation's responder runs in the relay).
            return false;
        }

        if (!await claims.TryClaimAsync($"message:{message.MessageSid}", cancellationToken))
        {
            return false;
        }

        var customer = Customer.FromAuthor(message.Author);
        turns.Enqueue(new AiConversation(message.ConversationSid, message.Author, customer,
            new Dictionary<string, string> { ["from"] = customer.Address, ["customerName"] = customer.Value, ["customerAddress"] = customer.Address },
            FromChannel: true));
        return true;
    }
}
