using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// One wait for a user's replies: the user, their subscription to the conversation, how long to wait at most
/// (null: until a reply), whether to look at once or first wait for an event, who to tell how long it has waited, and
/// when the call began (<see cref="Since"/>: the limit counts from it, so time spent posting is part of it; null: now).
/// </summary>
public sealed record ReplyWait(
    string Username, string UserKey, IConversationSubscription Subscription, TimeSpan? Limit, bool LookFirst, WaitProgress? Progress = null, DateTimeOffset? Since = null);

/// <summary>
/// Told every <see cref="Every"/> while a wait goes on, with the time waited so far (on the wait's own timer) and, when
/// <see cref="Place"/> finds one, the customer's place in line.
/// </summary>
public sealed record WaitProgress(TimeSpan Every, Action<WaitUpdate> Report)
{
    /// <summary>Finds the place in line to tell with each report (never throws).</summary>
    public Func<CancellationToken, Task<QueuePlace?>>? Place { get; init; }
}

/// <summary>One progress report: the time waited, and the place in line when known.</summary>
public sealed record WaitUpdate(TimeSpan Waited, QueuePlace? Place);
