using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Limits;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Responders;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Exchanges;

/// <summary>The user has never sent a message, so there is no conversation to read replies from.</summary>
public sealed class UnknownUserException() : Exception("There is no conversation for this user yet.");

/// <summary>A message in the user's conversation, and the subscription that hears the answer (<see cref="ConversationExchange.AnswerAsync"/> ends it).</summary>
public sealed record PostedMessage(UserConversation Conversation, ConversationMessage Message, IConversationSubscription Subscription);

/// <summary>
/// The engine every door uses. <see cref="SendAsync"/>: post a user's message into their conversation (a new one if
/// theirs is closed or gone), let the responder make sure someone answers, and wait for the answer.
/// <see cref="GetRepliesAsync"/>: wait for replies not handed out yet. Replies reach the user's callers exactly once,
/// whichever door asks. Once the message is in the conversation, no failure turns into an error that would invite
/// the caller to send it again: the answer is "pending" and the reply stays fetchable.
/// </summary>
public sealed partial class ConversationExchange(
    UserConversations conversations,
    IResponder responder,
    ReplyWaiter waiter,
    CustomerWait queue,
    FlexRouter router,
    IConversationSignals signals,
    UserLimits limits,
    TimeProvider clock,
    ILogger<ConversationExchange> logger)
{
    /// <summary>
    /// Sends <paramref name="text"/> (already checked) as <paramref name="username"/> (who proved <paramref name="contact"/>,
    /// when they signed in) and waits up to <paramref name="wait"/> from now, posting included (null: no limit), telling
    /// <paramref name="progress"/> (if any) how long it has waited.
    /// </summary>
    public async Task<ReplyOutcome> SendAsync(
        string username, Contact? contact, string text, MessageSource source, TimeSpan? wait, WaitProgress? progress, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow();
        await limits.TakeAsync(Usernames.Key(username), cancellationToken);
        return await AnswerAsync(await PostAsync(username, contact, new OutgoingMessage(text, source), cancellationToken), wait, since, progress, cancellationToken);
    }

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
    /// After the post: the responder makes sure someone answers, then the answer is awaited; a failure of Twilio or of
    /// the store answers pending (the message must not be sent again). Ends the subscription. (The wait holds the
    /// conversation and the subscription, not the message.)
    /// </summary>
    public Task<ReplyOutcome> AnswerAsync(PostedMessage posted, TimeSpan? wait, DateTimeOffset since, WaitProgress? progress, CancellationToken cancellationToken) =>
        AnswerAsync(posted.Conversation, posted.Subscription, responder.RespondAsync(posted.Conversation, posted.Message, cancellationToken),
            wait, since, progress, cancellationToken);

    /// <summary>Waits up to <paramref name="wait"/> for replies to <paramref name="username"/> not handed out yet, asked through <paramref name="source"/>.</summary>
    public async Task<ReplyOutcome> GetRepliesAsync(
        string username, Contact? contact, MessageSource source, TimeSpan? wait, WaitProgress? progress, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow();
        await limits.TakeAsync(Usernames.Key(username), cancellationToken);
        return await WaitForRepliesAsync(username, contact, source, wait, since, progress, cancellationToken);
    }

    /// <summary>As <see cref="GetRepliesAsync"/>, for a call that began at <paramref name="since"/>, already counted against the user's limit.</summary>
    public async Task<ReplyOutcome> WaitForRepliesAsync(
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

    /// <summary>The caller never received <paramref name="outcome"/> (it hung up as it was written): its replies are handed out again.</summary>
    public Task UndoAsync(ReplyOutcome outcome) => outcome.Delivered is { } delivered ? waiter.UndoAsync(delivered) : Task.CompletedTask;

    private async Task<ReplyOutcome> AnswerAsync(
        UserConversation conversation, IConversationSubscription subscription, Task responding, TimeSpan? wait, DateTimeOffset since, WaitProgress? progress,
        CancellationToken cancellationToken)
    {
        using (subscription)
        {
            try
            {
                await responding;
                var reply = new ReplyWait(conversation.Username, conversation.UserKey, subscription, wait, LookFirst: !waiter.HasWebhooks, Telling(progress, conversation.Sid), since);
                if (await router.IsRoutedAsync(conversation.Sid, cancellationToken) && await queue.AwayAsync(cancellationToken) is { } away)
                {
                    // Nobody is there: one look for an answer already written, then the customer hears so at once.
                    var now = await waiter.WaitAsync(reply with { Limit = TimeSpan.Zero, LookFirst = true }, cancellationToken);
                    return now is { Status: ReplyStatus.Pending, Why: PendingReason.NotAnsweredYet } ? now with { Why = PendingReason.NobodyAvailable, Away = away } : now;
                }

                return await WithPlaceAsync(await waiter.WaitAsync(reply, cancellationToken), cancellationToken);
            }
            catch (Exception error) when (IsOutage(error))
            {
                return PendingAfter(error, conversation.Sid);
            }
        }
    }

    /// <summary>A pending outcome carries the customer's place in line, when TaskRouter tells it.</summary>
    private async Task<ReplyOutcome> WithPlaceAsync(ReplyOutcome outcome, CancellationToken cancellationToken) =>
        outcome is { Status: ReplyStatus.Pending, Why: PendingReason.NotAnsweredYet or PendingReason.HandedOff, ConversationSid: { } sid }
            ? outcome with { Queue = await queue.PlaceAsync(sid, cancellationToken) }
            : outcome;

    /// <summary>Progress reports that tell the place in line too.</summary>
    private WaitProgress? Telling(WaitProgress? progress, string conversationSid) =>
        progress is null ? null : progress with { Place = cancellationToken => queue.PlaceAsync(conversationSid, cancellationToken) };

    /// <summary>True when Twilio or the store failed (not the caller): once the message is posted, the answer is then pending.</summary>
    internal static bool IsOutage(Exception error) => error is ServiceRefusedException or ServiceUnavailableException || StoreFailures.IsStoreFailure(error);

    /// <summary>The pending outcome for a message in <paramref name="conversationSid"/> whose answer could not be had because of <paramref name="error"/>.</summary>
    internal ReplyOutcome PendingAfter(Exception error, string? conversationSid)
    {
        PendingAfterFailure(logger, conversationSid ?? "(unknown)", error is ServiceRefusedException or ServiceUnavailableException ? "Twilio" : "the store", error.Message);
        return ReplyOutcome.TwilioFailed with { ConversationSid = conversationSid };
    }

    private async Task<ConversationMessage> PostAsync(UserConversation conversation, OutgoingMessage message, CancellationToken cancellationToken)
    {
        await responder.PrepareAsync(conversation, cancellationToken);
        return await conversations.PostAsync(conversation, message, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The message is in conversation {ConversationSid}, but {Failed} then failed ({Failure}); the caller is told the reply is pending")]
    private static partial void PendingAfterFailure(ILogger logger, string conversationSid, string failed, string failure);
}
