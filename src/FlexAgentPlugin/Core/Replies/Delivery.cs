namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// What a call ends with, for its door to pass on: the <see cref="Outcome"/>, whose replies are already marked handed
/// out. The door <see cref="Confirm"/>s once the caller has the outcome; a door whose caller went away abandons it
/// (<see cref="AbandonAsync"/>, or disposes it unconfirmed), and its replies are handed out again to the next call.
/// </summary>
public sealed class Delivery : IAsyncDisposable
{
    private readonly DeliveryMark? mark;
    private readonly ReplyHandout? handout;
    private int settled;

    internal Delivery(ReplyOutcome outcome, DeliveryMark? mark, ReplyHandout? handout)
    {
        Outcome = outcome;
        this.mark = mark;
        this.handout = handout;
    }

    public ReplyOutcome Outcome { get; }

    /// <summary>True when this delivery handed replies out, so abandoning it gives them back.</summary>
    public bool HandedOut => mark is not null;

    /// <summary>An outcome with nothing to give back: nothing was handed out, or a repeat of the call gets it again.</summary>
    internal static Delivery Settled(ReplyOutcome outcome) => new(outcome, mark: null, handout: null);

    /// <summary>The caller has the outcome: its replies stay handed out.</summary>
    public void Confirm() => Interlocked.Exchange(ref settled, 1);

    /// <summary>The caller never had the outcome: its replies are handed out again, unless a later call has moved past them.</summary>
    public async Task AbandonAsync()
    {
        if (Interlocked.Exchange(ref settled, 1) == 0 && mark is not null)
        {
            await handout!.GiveBackAsync(mark);
        }
    }

    /// <summary>Abandons the delivery unless it was confirmed.</summary>
    public async ValueTask DisposeAsync() => await AbandonAsync();

    /// <summary>The same hand-out, now owned by a delivery that tells <paramref name="outcome"/> instead (the place in line added, say).</summary>
    internal Delivery With(ReplyOutcome outcome)
    {
        Interlocked.Exchange(ref settled, 1);
        return new(outcome, mark, handout);
    }
}
