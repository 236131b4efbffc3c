using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Responders;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Exchanges;

/// <summary>A message in the user's conversation, and the subscription that hears the answer (<see cref="ExchangeSteps.AnswerAsync"/> ends it).</summary>
internal sealed record PostedMessage(UserConversation Conversation, ConversationMessage Message, IConversationSubscription Subscription);

/// <summary>
/// The steps of an exchange, which <see cref="ConversationExchange"/> runs one after the other and
/// <see cref="IdempotentSends"/> runs under its key: post the message, have it answered, or wait for the replies to an
/// earlier one. Once the message is in the conversation, no failure of Twilio or the store becomes an error that would
/// invite the caller to send it again: the answer is "pending" and the reply stays fetchable.
/// </summary>
internal sealed partial class ExchangeSteps(
    UserConversations conversations,
    IResponder responder,
    ReplyWaiter waiter,
    CustomerWait queue,
    FlexRouter router,
    IConversationSignals signals,
    ILogger<ExchangeSteps> logger)
{
    /// <summary>Posts the message into the user's open conversation, replacing one Twilio reports closed or gone.</summary>
    public async Task<PostedMessage> PostAsync(string username, Contact? contact, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var conversation = await conversations.GetOrCreateAsync(username, contact, message.Source, cancellationToken);
        var subscription = signals.Subscribe(conversation.Sid, username);
        try
        {
            try
            {
                return new PostedMessage(conversation, await PostAsync(conversation, message, cancellationToken), subscription);
            }
            catch (ServiceRefusedException error) when (!conversation.IsNew && error.IsGone)
            {
                subscription.Dispose();
                conversation = await conversations.ReplaceAsync(username, contact, conversation.Sid, message.Source, cancellationToken);
                subscription = signals.Subscribe(conversation.Sid, username);
                return new PostedMessage(conversation, await PostAsync(conversation, message, cancellationToken), subscription);
            }
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }

    /// <summary>
    /// After the post: the responder makes sure someone answers, then the answer is awaited up to <paramref name="wait"/>
    /// from <paramref name="since"/>; a failure of Twilio or of the store answers pending (the message must not be sent
    /// again). Ends the subscription. (The wait holds the conversation and the subscription, not the message.)
    /// </summary>
    public async Task<Delivery> AnswerAsync(
        PostedMessage posted, TimeSpan? wait, DateTimeOffset since, WaitProgress? progress, CancellationToken cancellationToken)
    {
        var (conversation, message, subscription) = posted;
        using (subscription)
        {
            try
            {
                await responder.RespondAsync(conversation, message, cancellationToken);
                var reply = new ReplyWait(conversation.Username, conversation.UserKey, subscription, wait, LookFirst: !waiter.HasWebhooks, Telling(progress, conversation.Sid), since);
                if (await router.IsRoutedAsync(conversation.Sid, cancellationToken) && await queue.AwayAsync(cancellationToken) is { } away)
                {
                    // Nobody is there: one look for an answer already written, then the customer hears so at once.
                    var now = await waiter.WaitAsync(reply with { Limit = TimeSpan.Zero, LookFirst = true }, cancellationToken);
                    return now.Outcome is { Status: ReplyStatus.Pending, Why: PendingReason.NotAnsweredYet }
                        ? now.With(now.Outcome with { Why = PendingReason.NobodyAvailable, Away = away })
                        : now;
                }

                return await WithPlaceAsync(await waiter.WaitAsync(reply, cancellationToken), cancellationToken);
            }
            catch (Exception error) when (IsOutage(error))
            {
                return PendingAfter(error, conversation.Sid);
            }
        }
    }

    /// <summary>Waits up to <paramref name="wait"/> from <paramref name="since"/> for replies to <paramref name="username"/> not handed out yet, asked through <paramref name="source"/>.</summary>
    public async Task<Delivery> WaitForRepliesAsync(
        string username, Contact? contact, MessageSource source, TimeSpan? wait, DateTimeOffset since, WaitProgress? progress, CancellationToken cancellationToken)
    {
        var userKey = Usernames.Key(username);
        var stored = await conversations.FindAsync(username, cancellationToken) ?? throw new UnknownUserException();
        using var subscription = signals.Subscribe(stored.ConversationSid, username);
        if (!stored.Closed)
        {
            await responder.ResumeAsync(
                new UserConversation(username, userKey, stored.ConversationSid, IsNew: false, stored.LastDeliveredIndex ?? -1, source, Contact: contact), cancellationToken);
        }

        return await WithPlaceAsync(await waiter.WaitAsync(
            new ReplyWait(username, userKey, subscription, wait, LookFirst: true, Telling(progress, stored.ConversationSid), since), cancellationToken), cancellationToken);
    }

    /// <summary>True when Twilio or the store failed (not the caller): once the message is posted, the answer is then pending.</summary>
    public static bool IsOutage(Exception error) => error is ServiceRefusedException or ServiceUnavailableException || StoreFailures.IsStoreFailure(error);

    /// <summary>The pending outcome for a message in <paramref name="conversationSid"/> whose answer could not be had because of <paramref name="error"/>.</summary>
    public Delivery PendingAfter(Exception error, string? conversationSid)
    {
        PendingAfterFailure(logger, conversationSid ?? "(unknown)", error is ServiceRefusedException or ServiceUnavailableException ? "Twilio" : "the store", error.Message);
        return Delivery.Settled(ReplyOutcome.TwilioFailed with { ConversationSid = conversationSid });
    }

    /// <summary>
    /// A pending outcome carries the customer's place in line, when TaskRouter tells it. Replies already handed out (a
    /// hand-off notice) are given back if the caller goes away meanwhile.
    /// </summary>
    private async Task<Delivery> WithPlaceAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.Outcome is not { Status: ReplyStatus.Pending, Why: PendingReason.NotAnsweredYet or PendingReason.HandedOff, ConversationSid: { } sid })
        {
            return delivery;
        }

        try
        {
            return delivery.With(delivery.Outcome with { Queue = await queue.PlaceAsync(sid, cancellationToken) });
        }
        catch
        {
            await delivery.AbandonAsync();
            throw;
        }
    }

    /// <summary>Progress reports that tell the place in line too.</summary>
    private WaitProgress? Telling(WaitProgress? progress, string conversationSid) =>
        progress is null ? null : progress with { Place = cancellationToken => queue.PlaceAsync(conversationSid, cancellationToken) };

    private async Task<ConversationMessage> PostAsync(UserConversation conversation, OutgoingMessage message, CancellationToken cancellationToken)
    {
        await responder.PrepareAsync(conversation, cancellationToken);
        return await conversations.PostAsync(conversation, message, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The message is in conversation {ConversationSid}, but {Failed} then failed ({Failure}); the caller is told the reply is pending")]
    private static partial void PendingAfterFailure(ILogger logger, string conversationSid, string failed, string failure);
}
