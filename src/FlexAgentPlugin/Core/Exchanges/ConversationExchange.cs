using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Limits;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Exchanges;

/// <summary>The user has never sent a message, so there is no conversation to read replies from.</summary>
public sealed class UnknownUserException() : Exception("There is no conversation for this user yet.");

/// <summary>
/// The engine every door uses. <see cref="SendAsync"/>: post a user's message into their conversation (a new one if
/// theirs is closed or gone), let the responder make sure someone answers, and wait for the answer.
/// <see cref="GetRepliesAsync"/>: wait for replies not handed out yet. Replies reach the user's callers exactly once,
/// whichever door asks: each call ends with a <see cref="Delivery"/> the door confirms once its caller has the outcome,
/// or abandons when the caller is gone (the replies stay fetchable). Once the message is in the conversation, no
/// failure turns into an error that would invite the caller to send it again: the answer is "pending".
/// </summary>
public sealed class ConversationExchange
{
    private readonly ExchangeSteps steps;
    private readonly IdempotentSends idempotent;
    private readonly UserLimits limits;
    private readonly TimeProvider clock;

    internal ConversationExchange(ExchangeSteps steps, IdempotentSends idempotent, UserLimits limits, TimeProvider clock)
    {
        this.steps = steps;
        this.idempotent = idempotent;
        this.limits = limits;
        this.clock = clock;
    }

    /// <summary>Sends the user's message and waits for the answer as <paramref name="request"/> says.</summary>
    public async Task<Delivery> SendAsync(SendRequest request, CancellationToken cancellationToken)
    {
        var since = await BeginAsync(request.Username, cancellationToken);
        if (request.IdempotencyKey is { } key)
        {
            return await idempotent.SendAsync(request, key, since, cancellationToken);
        }

        var posted = await steps.PostAsync(request.Username, request.Contact, new OutgoingMessage(request.Text, request.Source), cancellationToken);
        return await steps.AnswerAsync(posted, request.Wait, since, request.Progress, cancellationToken);
    }

    /// <summary>Waits for the replies to the user not handed out yet, as <paramref name="request"/> says.</summary>
    public async Task<Delivery> GetRepliesAsync(RepliesRequest request, CancellationToken cancellationToken)
    {
        var since = await BeginAsync(request.Username, cancellationToken);
        return await steps.WaitForRepliesAsync(request.Username, request.Contact, request.Source, request.Wait, since, request.Progress, cancellationToken);
    }

    /// <summary>
    /// The one place a call counts against the user's limit (RATE_LIMIT_PER_USER). Returns when the call began: its wait
    /// counts from then.
    /// </summary>
    private async Task<DateTimeOffset> BeginAsync(string username, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow();
        await limits.TakeAsync(Usernames.Key(username), cancellationToken);
        return since;
    }
}
