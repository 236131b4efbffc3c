namespace FlexAgentPlugin.Core.State;

/// <summary>
/// One event of a call's assist, as kept: <see cref="Id"/> increases with every event kept; <see cref="Kind"/> is
/// <c>transcript</c> or <c>suggestion</c> (with its JSON <see cref="Data"/>), or <see cref="AssistEvents.Started"/> /
/// <see cref="AssistEvents.Ended"/>, which mark a stream of the call beginning and the call's assist ending.
/// </summary>
public sealed record AssistEvent(long Id, string Kind, string Data);

/// <summary>The kinds of assist events that mark the assist itself rather than carry something to show.</summary>
public static class AssistEvents
{
    public const string Started = "started";
    public const string Ended = "ended";

    /// <summary>How long a call's events are kept: long enough for any call, short enough that the table stays small.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);
}

/// <summary>
/// Each assisted call's transcript lines and suggestions, kept in order, so an agent who opens the call late (on any
/// instance) is shown what was said so far. Implemented by the embedded store and by the shared one.
/// </summary>
public interface IAssistEventLog
{
    /// <summary>Keeps one event of the call (and forgets calls older than <see cref="AssistEvents.KeptFor"/>).</summary>
    Task AppendAsync(string callSid, string kind, string data, CancellationToken cancellationToken);

    /// <summary>The call's events after <paramref name="afterId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AssistEvent>> ListAsync(string callSid, long afterId, int limit, CancellationToken cancellationToken);
}
