using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.State;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Assistant;

/// <summary>
/// One AI turn in a Twilio conversation. It reads the conversation from Twilio, and when the newest messages are the
/// customer's, asks the model (<see cref="AssistantModel"/>) and posts its answer as <see cref="AiTurns.AiAuthor"/>
/// (marked <c>source: ai</c> in the message attributes), so the agent who takes over sees the whole history. A hand-off
/// posts a notice (with the reason and summary in its attributes) and routes the conversation to Flex: with Studio
/// routing the Studio webhook is added first and the notice starts the flow; with Interactions routing an Interaction
/// is created after it, with the summary and reason in the task's attributes. A routed conversation gets no more turns.
/// </summary>
public sealed partial class AiTurn(
    IConversationLog twilio,
    AssistantModel model,
    FlexRouter router,
    CustomerWait wait,
    IOptions<RoutingOptions> routing,
    IKeyedLock locks,
    IConversationSignals signals,
    ILogger<AiTurn> logger)
{
    /// <summary>The newest messages the model sees.</summary>
    private const int HistoryLength = 50;

    /// <summary>Takes the turn, holding the conversation's lock (shared by every instance) while it runs.</summary>
    public async Task TakeAsync(AiConversation conversation, CancellationToken cancellationToken)
    {
        await using var held = await locks.AcquireAsync($"ai:{conversation.ConversationSid}", cancellationToken);
        await AnswerAsync(conversation, cancellationToken);
    }

    private async Task AnswerAsync(AiConversation conversation, CancellationToken cancellationToken)
    {
        var sid = conversation.ConversationSid;
        if (await router.IsRoutedAsync(sid, cancellationToken))
        {
            return;
        }

        if (conversation.FromChannel && !await IsCustomerChannelAsync(sid, cancellationToken))
        {
            return;
        }

        var history = (await twilio.ListMessagesAsync(sid, newestFirst: true, HistoryLength, cancellationToken)).Messages
            .Select(m => (Message: m, Marks: MessageMarks.Read(m.Attributes))).ToList();

        // A hand-off notice in a conversation not routed yet means the routing failed after the notice was posted: it is
        // finished now, and the AI says no more.
        if (history.Where(m => m.Marks.IsAi).OrderBy(m => m.Message.Index).LastOrDefault(m => m.Marks.Handoff is not null).Marks?.Handoff is { } unfinished)
        {
            await RouteAsync(conversation, unfinished, cancellationToken);
            return;
        }

        // The customer's messages after the last one answered (by the AI, or by anyone else who wrote since).
        var answered = history.Where(m => !IsCustomer(m.Message, conversation))
            .Select(m => m.Marks.IsAi ? m.Marks.AnsweredIndex ?? m.Message.Index : m.Message.Index)
            .DefaultIfEmpty(-1).Max();
        var newest = history.Where(m => IsCustomer(m.Message, conversation) && m.Message.Index > answered).Select(m => m.Message.Index).DefaultIfEmpty(-1).Max();
        if (newest < 0 || (conversation.FromChannel && await AgentJoinedAsync(conversation, cancellationToken)))
        {
            return;
        }

        // The model reads each AI answer right after the message it answered.
        var turns = history
            .OrderBy(m => m.Marks.IsAi && m.Marks.AnsweredIndex is { } at ? at + 0.5 : m.Message.Index)
            .Select(m => new ChatTurn(IsCustomer(m.Message, conversation), m.Message.Body ?? "(an attachment)"))
            .ToList();
        var answer = await model.AnswerAsync(turns, cancellationToken);
        if (answer.Handoff is not { } handoff)
        {
            await PostAsync(sid, answer.Text!, newest, handoff: null, cancellationToken);
            return;
        }

        var notice = answer.Text ?? AiTurns.HandoffNotice;
        if (await wait.AwayAsync(cancellationToken) is { } away)
        {
            // The AI says itself that nobody is there, and when they are back; the notice then reaches the customer at once.
            notice = $"{notice} {away.Sentence} {AiTurns.AwayNotice}";
            handoff = handoff with { AgentsAway = true };
        }

        if (router.Mode == RoutingMode.Studio)
        {
            await RouteAsync(conversation, handoff, cancellationToken);
            await PostAsync(sid, notice, newest, handoff, cancellationToken);
        }
        else
        {
            await PostAsync(sid, notice, newest, handoff, cancellationToken);
            await RouteAsync(conversation, handoff, cancellationToken);
        }

        Log.HandedOff(logger, sid, handoff.Reason);
    }

    /// <summary>Studio: the conversation's Studio webhook, so the next message starts the flow. Interactions: the Interaction, with the hand-off in the task.</summary>
    private async Task RouteAsync(AiConversation conversation, Handoff handoff, CancellationToken cancellationToken)
    {
        if (router.Mode == RoutingMode.Studio)
        {
            await router.PrepareStudioAsync(conversation.ConversationSid, fresh: false, cancellationToken);
            return;
        }

        var attributes = new Dictionary<string, string>(conversation.TaskAttributes) { ["reason"] = handoff.Reason, ["summary"] = handoff.Summary };
        var settings = routing.Value;
        await router.RouteOnceAsync(new InteractionRequest(conversation.Customer.ChannelType, conversation.ConversationSid,
            settings.WorkspaceSid!, settings.WorkflowSid!, conversation.Customer.TaskChannel, attributes), cancellationToken);
    }

    /// <summary>
    /// Posts the AI's text (in parts Twilio accepts), then wakes whoever waits on the conversation, so that all parts reach
    /// them together. The parts fire no webhooks (SMS and WhatsApp customers get them all the same), except a hand-off
    /// notice, which starts the Studio flow.
    /// </summary>
    private async Task PostAsync(string sid, string text, long answeredIndex, Handoff? handoff, CancellationToken cancellationToken)
    {
        var parts = AnswerParts.Split(text);
        for (var i = 0; i < parts.Count; i++)
        {
            var notice = i == parts.Count - 1 ? handoff : null;
            await twilio.SendMessageAsync(sid, AiTurns.AiAuthor, parts[i], MessageMarks.FromAi(answeredIndex, notice), cancellationToken, fireWebhooks: notice is not null);
        }

        await signals.PublishAsync(new ConversationEvent(sid, AiTurns.AiAuthor, Closed: false), cancellationToken);
    }

    /// <summary>An open conversation that is not one of the relay's (those are answered through /send and MCP).</summary>
    private async Task<bool> IsCustomerChannelAsync(string sid, CancellationToken cancellationToken) =>
        await twilio.FetchConversationAsync(sid, cancellationToken) is { IsClosed: false } found
        && !ConversationSetup.IsUserConversation(found.Attributes);

    /// <summary>True once someone other than the customer joined the conversation: an agent accepted the task.</summary>
    private async Task<bool> AgentJoinedAsync(AiConversation conversation, CancellationToken cancellationToken) =>
        (await twilio.ListParticipantsAsync(conversation.ConversationSid, cancellationToken))
            .Any(p => !string.IsNullOrEmpty(p.Identity) && p.Identity != conversation.CustomerAuthor);

    private static bool IsCustomer(ConversationMessage message, AiConversation conversation) =>
        message.Author == conversation.CustomerAuthor && !MessageMarks.Read(message.Attributes).IsAi;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The AI handed conversation {ConversationSid} to a person ({Reason})")]
        public static partial void HandedOff(ILogger logger, string conversationSid, string reason);
    }
}
