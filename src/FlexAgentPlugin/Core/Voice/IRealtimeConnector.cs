using System.Net.WebSockets;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>Opens the WebSocket of a realtime model session, with the model's credentials.</summary>
public interface IRealtimeConnector
{
    Task<WebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken);
}
