using System.Runtime.CompilerServices;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// Follows a call's assist events from the store: what was said so far (oldest first, after a given event), then each
/// new event as the store's signal announces it, from whichever instance the call's audio streams to, until the call's
/// assist ends. With no event for <see cref="KeepAlive"/> it yields null (so the reader can show it is alive) and looks
/// at the store again, in case a signal was lost.
/// </summary>
public sealed class AssistHistory(IAssistEventLog log, IConversationSignals signals, TimeProvider clock)
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private const int Batch = 200;

    /// <summary>True when the call was ever assisted here (on any instance, within the store's memory).</summary>
    public async Task<bool> IsKnownAsync(string callSid, CancellationToken cancellationToken) =>
        (await log.ListAsync(callSid, afterId: 0, limit: 1, cancellationToken)).Count > 0;

    /// <summary>The call's events after <paramref name="afterId"/> (transcript lines and suggestions; null: quiet for a while).</summary>
    public async IAsyncEnumerable<AssistEvent?> FollowAsync(string callSid, long afterId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribed before the first read, so nothing kept between that read and the wait is missed.
        using var subscription = signals.Subscribe(callSid, ignoredAuthor: null);
        var last = afterId;
        while (true)
        {
            var events = await log.ListAsync(callSid, last, Batch, cancellationToken);
            foreach (var kept in events)
            {
                last = kept.Id;
                if (kept.Kind is AssistFeed.TranscriptEvent or AssistFeed.SuggestionEvent)
                {
                    yield return kept;
                }
            }

            if (events.Count > 0 && events[^1].Kind == AssistEvents.Ended)
            {
                yield break;
            }

            if (events.Count == Batch)
            {
                continue;
            }

            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = Task.Delay(KeepAlive, clock, quiet.Token);
            var woken = await Task.WhenAny(subscription.NextAsync(), timer);
            await quiet.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            if (woken == timer)
            {
                subscription.Reset();
                yield return null;
            }
        }
    }
}
