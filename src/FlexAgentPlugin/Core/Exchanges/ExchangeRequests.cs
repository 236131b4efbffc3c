using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Exchanges;

/// <summary>
/// A user's message for <see cref="ConversationExchange.SendAsync"/>: who sends it (and the contact they proved, when
/// they signed in), its text (already checked), the door it came through, and how long to wait for the answer from the
/// call's start, posting included (null: no limit). With an <see cref="IdempotencyKey"/>, the same key for the same
/// user within a day never posts twice; <see cref="Progress"/> (if any) is told how long the call has waited.
/// </summary>
public sealed record SendRequest(string Username, Contact? Contact, string Text, MessageSource Source, TimeSpan? Wait)
{
    public string? IdempotencyKey { get; init; }

    public WaitProgress? Progress { get; init; }
}

/// <summary>
/// A call for the replies not handed out yet (<see cref="ConversationExchange.GetRepliesAsync"/>): who asks, through
/// which door, how long to wait at most (null: no limit), and who to tell how long it has waited.
/// </summary>
public sealed record RepliesRequest(string Username, Contact? Contact, MessageSource Source, TimeSpan? Wait)
{
    public WaitProgress? Progress { get; init; }
}
