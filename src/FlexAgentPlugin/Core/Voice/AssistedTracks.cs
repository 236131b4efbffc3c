namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// One assisted Media Stream of a call: the customer's track (Twilio's <c>inbound</c>) goes to a session that
/// transcribes and answers it; the agent's track (<c>outbound</c>, when the stream carries both) to a second session,
/// opened at its first frame, that only transcribes it.
/// </summary>
public sealed class AssistedTracks(string callSid, Func<string, CallAssistant> listen) : IAsyncDisposable
{
    private readonly CallAssistant customer = listen(AssistFeed.CustomerSpeaker);
    private CallAssistant? agent;

    public string CallSid => callSid;

    public long Forwarded => customer.Forwarded + (agent?.Forwarded ?? 0);

    public long Dropped => customer.Dropped + (agent?.Dropped ?? 0);

    /// <summary>Queues one frame of <paramref name="track"/> (as Media Streams names it: <c>inbound</c> or <c>outbound</c>).</summary>
    public void Offer(string? track, byte[] frame)
    {
        if (track is "outbound")
        {
            (agent ??= listen(AssistFeed.AgentSpeaker)).Offer(frame);
        }
        else
        {
            customer.Offer(frame);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await customer.DisposeAsync();
        if (agent is not null)
        {
            await agent.DisposeAsync();
        }
    }
}
