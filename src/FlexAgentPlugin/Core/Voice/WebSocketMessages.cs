using System.Buffers;
using System.Net.WebSockets;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>Reads whole messages from a WebSocket, up to a size.</summary>
public static class WebSocketMessages
{
    /// <summary>The next whole message (in <paramref name="buffer"/>'s memory), or null when the socket closes; throws past <paramref name="maxBytes"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReceiveAsync(WebSocket socket, ArrayBufferWriter<byte> buffer, int maxBytes, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        ValueWebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer.GetMemory(8 * 1024), cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(received.Count);
            if (buffer.WrittenCount > maxBytes)
            {
                throw new WebSocketException(WebSocketError.InvalidState, $"A message over {maxBytes / 1024} KB.");
            }
        }
        while (!received.EndOfMessage);

        return buffer.WrittenMemory;
    }
}
