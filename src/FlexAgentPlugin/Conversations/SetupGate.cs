using FlexAgentPlugin.Twilio;

namespace FlexAgentPlugin.Conversations;

/// <summary>Bounds the conversation set-ups in flight (each is four Twilio calls in a row) to the Twilio connection limit.</summary>
public sealed class SetupGate : IDisposable
{
    public SemaphoreSlim Gate { get; } = new(TwilioSetup.MaxConnectionsPerHost);

    public void Dispose() => Gate.Dispose();
}
