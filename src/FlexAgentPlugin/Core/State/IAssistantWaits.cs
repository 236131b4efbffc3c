namespace FlexAgentPlugin.Core.State;

/// <summary>
/// Whether a user's assistant waits on the line for their conversation's answer: <see cref="WaitingUntil"/> (Unix
/// milliseconds) while a call waits, which lapses by itself if its instance dies; <see cref="Pending"/> once the last
/// call was told <c>pending</c> and will fetch the reply later.
/// </summary>
public sealed record AssistantWait(long? WaitingUntil, bool Pending);

/// <summary>The waits of users' assistants, per conversation, shared by every instance.</summary>
public interface IAssistantWaits
{
    /// <summary>A call now waits on the conversation until <paramref name="until"/> at most (Unix milliseconds).</summary>
    Task BeginWaitAsync(string conversationSid, long until, CancellationToken cancellationToken);

    /// <summary>
    /// The call that waited until <paramref name="until"/> got its answer (<paramref name="pending"/>: it was told to fetch
    /// the reply later). A later call's wait, begun meanwhile, stays.
    /// </summary>
    Task EndWaitAsync(string conversationSid, long until, bool pending, CancellationToken cancellationToken);

    Task<AssistantWait?> FindWaitAsync(string conversationSid, CancellationToken cancellationToken);
}
