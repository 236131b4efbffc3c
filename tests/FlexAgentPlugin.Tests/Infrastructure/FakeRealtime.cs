using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// An in-process fake of OpenAI's Realtime API (GA) on a loopback port, written from OpenAI's OpenAPI description: each
/// connection answers <c>session.created</c>, checks every client event against the GA shapes (a beta field, an unknown
/// event type or a malformed one is recorded in <see cref="Problems"/>, which fails the test), keeps the audio it was
/// sent, and lets the test send server events or drop the connection. Written by hand, unlike the HTTP API's fake
/// (<see cref="FakeOpenAi"/>, WireMock.Net): WireMock answers HTTP requests, not a WebSocket session that both sides drive.
/// </summary>
public sealed class FakeRealtime : IAsyncDisposable
{
    public const string ApiKey = FakeOpenAi.ApiKey;

    private static readonly string[] ClientEvents =
    [
        "session.update", "input_audio_buffer.append", "input_audio_buffer.commit", "input_audio_buffer.clear", "conversation.item.create",
        "conversation.item.retrieve", "conversation.item.truncate", "conversation.item.delete", "response.create", "response.cancel", "output_audio_buffer.clear",
    ];

    private static readonly string[] BetaSessionFields = ["modalities", "input_audio_format", "output_audio_format", "input_audio_transcription", "turn_detection", "voice"];

    private readonly WebApplication app;
    private readonly Channel<RealtimeConnection> connections = Channel.CreateUnbounded<RealtimeConnection>();
    private readonly List<string> problems = [];
    private readonly List<RealtimeConnection> all = [];

    public FakeRealtime()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.UseWebSockets();
        app.Map("/v1/realtime", AcceptAsync);
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Url = address.Replace("http://", "ws://", StringComparison.Ordinal) + "/v1/realtime";
    }

    /// <summary>The URL to give the server as OPENAI_REALTIME_URL.</summary>
    public string Url { get; }

    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (problems)
            {
                return [.. problems];
            }
        }
    }

    public IReadOnlyList<RealtimeConnection> Connections
    {
        get
        {
            lock (all)
            {
                return [.. all];
            }
        }
    }

    /// <summary>The next connection the server opens.</summary>
    public async Task<RealtimeConnection> NextConnectionAsync() =>
        await connections.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private void Problem(string problem)
    {
        lock (problems)
        {
            problems.Add(problem);
        }
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (context.Request.Headers.Authorization.ToString() != $"Bearer {ApiKey}")
        {
            Problem($"a connection without the key ({context.Request.Headers.Authorization})");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new RealtimeConnection(socket, context.Request.Query["model"].ToString());
        lock (all)
        {
            all.Add(connection);
        }

        await connection.SendAsync(new JsonObject
        {
            ["event_id"] = "event_0",
            ["type"] = "session.created",
            ["session"] = new JsonObject { ["type"] = "realtime", ["object"] = "realtime.session", ["id"] = "sess_1", ["model"] = connection.Model },
        });
        connections.Writer.TryWrite(connection);
        await connection.ReadAsync(Check);
    }

    /// <summary>The GA shape of a client event, or why it is not one.</summary>
    private void Check(JsonObject message)
    {
        var type = (string?)message["type"];
        if (type is null || !ClientEvents.Contains(type))
        {
            Problem($"unknown client event type {type}");
            return;
        }

        if (type == "session.update")
        {
            if (message["session"] is not JsonObject session || (string?)session["type"] != "realtime")
            {
                Problem("session.update without session.type realtime");
                return;
            }

            foreach (var beta in BetaSessionFields.Where(f => session.ContainsKey(f)))
            {
                Problem($"session.update has the beta field session.{beta}");
            }

            var format = (string?)session["audio"]?["input"]?["format"]?["type"];
            if (format is not ("audio/pcm" or "audio/pcmu" or "audio/pcma"))
            {
                Problem($"session.audio.input.format.type {format} is not a GA audio format");
            }

            if ((string?)session["audio"]?["input"]?["turn_detection"]?["type"] is not (null or "server_vad" or "semantic_vad"))
            {
                Problem("turn_detection.type must be server_vad or semantic_vad");
            }

            if (session["output_modalities"] is JsonArray modalities && modalities.Any(m => (string?)m is not ("text" or "audio")))
            {
                Problem("output_modalities must be text or audio");
            }
        }

        if (type == "input_audio_buffer.append")
        {
            try
            {
                Convert.FromBase64String((string?)message["audio"] ?? throw new FormatException("no audio"));
            }
            catch (FormatException)
            {
                Problem("input_audio_buffer.append without base64 audio");
            }
        }
    }
}

/// <summary>One connection of the server to the fake Realtime API.</summary>
public sealed class RealtimeConnection(WebSocket socket, string model)
{
    private readonly List<JsonObject> events = [];
    private readonly MemoryStream audio = new();
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Model { get; } = model;

    /// <summary>Completes when the server closes (or drops) the connection.</summary>
    public Task Closed => closed.Task;

    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            lock (events)
            {
                return [.. events];
            }
        }
    }

    /// <summary>Every audio byte the server appended, in order.</summary>
    public byte[] Audio
    {
        get
        {
            lock (events)
            {
                return audio.ToArray();
            }
        }
    }

    public Task SendAsync(JsonObject serverEvent) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(serverEvent.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Drops the connection without a close handshake, as a network failure would.</summary>
    public void Drop() => socket.Abort();

    /// <summary>Completes once <paramref name="condition"/> holds for what the connection has received (within 10 s).</summary>
    public async Task WaitUntilAsync(Func<RealtimeConnection, bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition(this))
        {
            Task next;
            lock (events)
            {
                next = changed.Task;
            }

            if (!condition(this))
            {
                await next.WaitAsync(limit.Token);
            }
        }
    }

    internal async Task ReadAsync(Action<JsonObject> check)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);

                var json = JsonNode.Parse(message.ToArray())!.AsObject();
                check(json);
                lock (events)
                {
                    events.Add(json);
                    if ((string?)json["type"] == "input_audio_buffer.append" && (string?)json["audio"] is { } base64)
                    {
                        var bytes = Convert.FromBase64String(base64);
                        audio.Write(bytes);
                    }

                    changed.TrySetResult();
                    changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException or FormatException)
        {
            // Dropped.
        }
        finally
        {
            closed.TrySetResult();
            lock (events)
            {
                changed.TrySetResult();
            }
        }
    }
}
