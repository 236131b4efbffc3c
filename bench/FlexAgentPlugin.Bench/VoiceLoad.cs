using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Bench;

/// <summary>
/// 6. Voice assist under load: N calls at once, each one 20 ms μ-law frame every 20 ms (real time), played as Twilio's
/// Media Streams into the server's <c>/voice/stream</c>; the server forwards them to a fake Realtime model in this
/// process. Each frame carries its call and number, so the delay from its sending to the model's receiving it (the
/// server's queue and forwarding, plus two loopback hops) is measured on one clock.
/// </summary>
internal static class VoiceLoad
{
    private const int FrameBytes = 160;

    public static async Task RunAsync(string root, int calls, int seconds)
    {
        var received = new long[calls];
        var delays = new List<double>();
        var sentAt = new long[calls][];
        var framesPerCall = seconds * 50;
        for (var i = 0; i < calls; i++)
        {
            sentAt[i] = new long[framesPerCall];
        }

        await using var model = await StartModelAsync((call, frame, at) =>
        {
            if (call < calls && frame < framesPerCall && sentAt[call][frame] != 0)
            {
                Interlocked.Increment(ref received[call]);
                var delay = Stopwatch.GetElapsedTime(sentAt[call][frame], at).TotalMilliseconds;
                lock (delays)
                {
                    delays.Add(delay);
                }
            }
        });
        await using var deployment = await Deployment.StartAsync(root, autoReplySeconds: 0, serverSettings: new Dictionary<string, string>
        {
            ["OPENAI_REALTIME_URL"] = model.Url,
            ["OPENAI_API_KEY"] = "bench-key",
            ["VOICE_MAX_CALLS"] = calls.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // /voice/incoming enqueues each call to a workflow, and gives its stream the ticket the stream starts with.
            ["ROUTING_MODE"] = "studio",
            ["FLEX_WORKSPACE_SID"] = "WS" + new string('0', 32),
            ["FLEX_WORKFLOW_SID"] = "WW" + new string('0', 32),
        });

        var streamUrl = $"ws://{deployment.ServerAddress.Authority}/voice/stream";
        var sockets = new ClientWebSocket[calls];
        using var http = new HttpClient();
        for (var i = 0; i < calls; i++)
        {
            var ticket = await TicketAsync(http, deployment, $"CA{i:D32}");
            sockets[i] = new ClientWebSocket();
            sockets[i].Options.SetRequestHeader("X-Twilio-Signature", Sign(deployment.AuthToken, streamUrl));
            await sockets[i].ConnectAsync(new Uri(streamUrl), CancellationToken.None);
            await SendAsync(sockets[i], """{"event":"connected","protocol":"Call","version":"1.0.0"}""");
            await SendAsync(sockets[i], $$$"""{"event":"start","sequenceNumber":"1","start":{"streamSid":"MZ{{{i:D32}}}","callSid":"CA{{{i:D32}}}","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{"assistTicket":"{{{ticket}}}"}},"streamSid":"MZ{{{i:D32}}}"}""");
        }

        while (model.Connections < calls)
        {
            await Task.Delay(50);
        }

        var before = deployment.Server.Memory();
        var peakRss = before.Rss;
        var started = Stopwatch.GetTimestamp();
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var late = 0;
        for (var frame = 0; frame < framesPerCall; frame++)
        {
            // Frame n of every call is due n × 20 ms after the start; a tick that comes late sends at once.
            var due = TimeSpan.FromMilliseconds(20 * frame) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await ticks.WaitForNextTickAsync();
            }
            else if (due < TimeSpan.FromMilliseconds(-20))
            {
                late++;
            }

            await Task.WhenAll(Enumerable.Range(0, calls).Select(call =>
            {
                var payload = new byte[FrameBytes];
                Array.Fill(payload, (byte)0xFF);
                BinaryPrimitives.WriteInt32LittleEndian(payload, call);
                BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), frame);
                sentAt[call][frame] = Stopwatch.GetTimestamp();
                return SendAsync(sockets[call], $$$"""{"event":"media","sequenceNumber":"{{{frame + 2}}}","media":{"track":"inbound","chunk":"{{{frame + 1}}}","timestamp":"{{{frame * 20}}}","payload":"{{{Convert.ToBase64String(payload)}}}"},"streamSid":"MZ{{{call:D32}}}"}""");
            }));
            if (frame % 50 == 0)
            {
                peakRss = Math.Max(peakRss, deployment.Server.Memory().Rss);
            }
        }

        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.Delay(1000);
        var after = deployment.Server.Memory();
        foreach (var socket in sockets)
        {
            await SendAsync(socket, """{"event":"stop","sequenceNumber":"0","stop":{}}""");
        }

        delays.Sort();
        var sent = (long)calls * framesPerCall;
        var forwarded = received.Sum();
        Console.WriteLine($"6. Voice assist: {calls} calls at once for {seconds} s, one 20 ms frame per call every 20 ms ({sent:N0} frames; {late} sending ticks over 20 ms late)");
        Console.WriteLine($"   frames forwarded to the model: {forwarded:N0} of {sent:N0} ({forwarded * 100.0 / sent:F2} %)");
        Console.WriteLine($"   delay, frame sent by 'Twilio' -> received by the model (server + 2 loopback hops): p50 {Percentile(delays, 50):F2} ms   p99 {Percentile(delays, 99):F2} ms   max {delays[^1]:F2} ms");
        Console.WriteLine($"   server CPU {after.CpuSeconds - before.CpuSeconds:F1} s over {wall:F1} s ({(after.CpuSeconds - before.CpuSeconds) / wall * 100:F0} % of one core); RSS {before.Rss:F0} MiB before, peak {Math.Max(peakRss, after.Rss):F0} MiB during");
        Console.WriteLine();
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    private static double Percentile(List<double> sorted, int percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The call comes in as Twilio posts it (signed): the ticket the server's TwiML gives the call's stream.</summary>
    private static async Task<string> TicketAsync(HttpClient http, Deployment deployment, string callSid)
    {
        var url = new Uri(deployment.ServerAddress, "/voice/incoming").ToString();
        var form = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["CallSid"] = callSid, ["From"] = "+15550100" };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Sign(deployment.AuthToken, url + string.Concat(form.Select(p => p.Key + p.Value))));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var twiml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        return (string)twiml.Descendants("Parameter").Single(p => (string?)p.Attribute("name") == "assistTicket").Attribute("value")!;
    }

    /// <summary>
    /// Twilio's signature over what it signs (the URL, then a form's names and values in order): HMAC-SHA1 with the auth
    /// token, Base64. The benchmark plays Twilio here, and Twilio's SDK only checks signatures, so it is made by hand (as
    /// the emulator's RequestSigner).
    /// </summary>
    internal static string Sign(string authToken, string url)
    {
#pragma warning disable CA5350 // SHA-1 is what Twilio signs with.
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
#pragma warning restore CA5350
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(url)));
    }

    /// <summary>A Realtime model that accepts the server's connections and reports each appended frame as it arrives.</summary>
    private static async Task<FakeModel> StartModelAsync(Action<int, int, long> frameArrived)
    {
        var port = ChildProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
        var app = builder.Build();
        var model = new FakeModel(app, $"ws://127.0.0.1:{port}/v1/realtime");
        app.UseWebSockets();
        app.Map("/v1/realtime", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            Interlocked.Increment(ref model.OpenConnections);
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var length = 0;
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var at = Stopwatch.GetTimestamp();
                    using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
                    if (json.RootElement.GetProperty("type").GetString() == "input_audio_buffer.append")
                    {
                        var frame = json.RootElement.GetProperty("audio").GetBytesFromBase64();
                        frameArrived(BinaryPrimitives.ReadInt32LittleEndian(frame), BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4)), at);
                    }
                }
            }
            catch (WebSocketException)
            {
                // The server hung up.
            }
        });
        await app.StartAsync();
        return model;
    }

    private sealed class FakeModel(WebApplication app, string url) : IAsyncDisposable
    {
        public int OpenConnections;

        public string Url { get; } = url;

        public int Connections => Volatile.Read(ref OpenConnections);

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
