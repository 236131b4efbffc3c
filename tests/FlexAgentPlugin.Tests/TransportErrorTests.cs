using System.Net.Sockets;
using System.Text;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests;

/// <summary>Errors Kestrel finds in the request itself keep their status (400, 408), on a real socket; none becomes a 500.</summary>
public sealed class TransportErrorTests
{
    [Fact]
    public async Task AChunkedBodyWithABadChunkSizeIsABadRequest()
    {
        using var server = PluginFactory.RealSandbox();

        var response = await RawAsync(server, "POST /send/alice HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZZ\r\n{\"msg\":\"hi\"}\r\n0\r\n\r\n", trickle: false);

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Logs.Lines, l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ABodyThatTricklesInBelowTheMinimumDataRateIsARequestTimeout()
    {
        using var server = PluginFactory.RealSandbox(services: services => services.Configure<KestrelServerOptions>(kestrel =>
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1000, gracePeriod: TimeSpan.FromSeconds(1.5))));

        var response = await RawAsync(server, "POST /send/alice HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 5000\r\nConnection: close\r\n\r\n{\"msg\": \"", trickle: true);

        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Logs.Lines, l => l.Level >= LogLevel.Error);
    }

    /// <summary>Sends <paramref name="head"/> as raw bytes (then one byte a second when <paramref name="trickle"/>) and returns what the server answers.</summary>
    private static async Task<string> RawAsync(PluginFactory server, string head, bool trickle)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress!.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var answered = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var reading = ReadAllAsync(stream, answered.Token);
        while (trickle && !reading.IsCompleted)
        {
            try
            {
                await stream.WriteAsync("x"u8.ToArray(), answered.Token);
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(reading, Task.Delay(1000, answered.Token));
        }

        return await reading;
    }

    private static async Task<string> ReadAllAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        catch (IOException)
        {
            // The server closed the connection after answering.
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
