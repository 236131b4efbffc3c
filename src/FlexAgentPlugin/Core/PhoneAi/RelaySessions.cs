using System.Net.WebSockets;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>
/// The ConversationRelay sockets Twilio opens for calls the AI answers. A door accepts the upgrade (Twilio's signature
/// is checked before it) and hands the socket here; the session runs until the socket closes (<see cref="RelaySession"/>).
/// </summary>
public sealed class RelaySessions(PhoneAiCalls calls, TimeProvider clock, ILogger<RelaySessions> logger)
{
    /// <summary>Runs one accepted socket's session to its end; <paramref name="aborted"/> is the connection going away.</summary>
    public async Task RunAsync(WebSocket socket, CancellationToken aborted)
    {
        using var session = new RelaySession(socket, calls, clock, logger);
        await session.RunAsync(aborted);
    }
}
