using System.Net.WebSockets;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// The Media Streams sockets Twilio opens to assist calls. A door accepts the upgrade (Twilio's signature is checked
/// before it) and hands the socket here; the session runs until the socket closes (<see cref="MediaStreamSession"/>).
/// </summary>
public sealed class MediaStreams(VoiceCalls calls, StreamTickets tickets, TimeProvider clock, ILogger<MediaStreams> logger)
{
    /// <summary>Runs one accepted socket's session to its end; <paramref name="aborted"/> is the connection going away.</summary>
    public Task RunAsync(WebSocket socket, CancellationToken aborted) =>
        new MediaStreamSession(socket, calls, tickets, clock, logger).RunAsync(aborted);
}
