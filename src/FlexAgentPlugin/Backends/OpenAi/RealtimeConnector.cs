using System.Net.WebSockets;
using FlexAgentPlugin.Core.Voice;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Backends.OpenAi;

/// <summary>Opens a WebSocket to the Realtime API with the OpenAI key as a bearer token.</summary>
public sealed class RealtimeConnector(IOptions<OpenAiOptions> openAi) : IRealtimeConnector
{
    public async Task<WebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            if (openAi.Value.ApiKey?.Trim() is { Length: > 0 } key)
            {
                socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
            }

            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(uri, limit.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
