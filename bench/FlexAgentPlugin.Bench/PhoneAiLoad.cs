using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Bench;

/// <summary>
/// 8. The AI on the phone under load: N ConversationRelay sessions at once on the server's <c>/voice/relay</c>, each
/// caller's final prompt sent at the same moment, round after round. The model is a stand-in in this process (not a
/// language model): an OpenAI-compatible Chat Completions endpoint that streams a fixed answer, its first token after
/// <see cref="FirstTokenDelay"/> and the rest <see cref="TokenGap"/> apart. The figure is the time from the prompt's
/// sending to the first <c>text</c> token's arrival, less the stand-in's own time to its first token (both measured on
/// this process's clock), so what is left is the server's part plus loopback hops.
/// </summary>
internal static class PhoneAiLoad
{
    private static readonly TimeSpan FirstTokenDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan TokenGap = TimeSpan.FromMilliseconds(40);
    private static readonly string[] Tokens = ["We ", "open ", "at ", "nine ", "every ", "day ", "but ", "Sunday."];

    public static async Task RunAsync(string root, int calls, int rounds)
    {
        // Per call and round: when the stand-in received the request, and when it wrote its first token.
        var modelDelay = new double[calls, rounds];
        var port = ChildProcess.FreePort();
        await using var model = await StartModelAsync(port, modelDelay);
        await using var deployment = await Deployment.StartAsync(root, autoReplySeconds: 0, serverSettings: new Dictionary<string, string>
        {
            ["VOICE_RESPONDER"] = "ai-first",
            ["AI_BASE_URL"] = $"http://127.0.0.1:{port}/v1",
            ["OPENAI_API_KEY"] = "bench-key",
            ["AI_MODEL"] = "stand-in",
            ["ROUTING_MODE"] = "studio",
            ["FLEX_WORKSPACE_SID"] = "WS" + new string('0', 32),
            ["FLEX_WORKFLOW_SID"] = "WW" + new string('0', 32),
        });

        var relayUrl = $"ws://{deployment.ServerAddress.Authority}/voice/relay";
        var before = deployment.Server.Memory();
        var sockets = new ClientWebSocket[calls];
        for (var i = 0; i < calls; i++)
        {
            sockets[i] = new ClientWebSocket();
            sockets[i].Options.SetRequestHeader("X-Twilio-Signature", VoiceLoad.Sign(deployment.AuthToken, relayUrl));
            await sockets[i].ConnectAsync(new Uri(relayUrl), CancellationToken.None);
            await SendAsync(sockets[i], $$$"""{"type":"setup","callSid":"CA{{{i:D32}}}","from":"+1555{{{i:D7}}}","to":"+15550199","customParameters":{}}""");
        }

        var latencies = new List<double>();
        var firstRound = new List<double>();
        var started = Stopwatch.GetTimestamp();
        var peakRss = before.Rss;
        for (var round = 0; round < rounds; round++)
        {
            var current = round;
            var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(call => TurnAsync(sockets[call], call, current)));
            peakRss = Math.Max(peakRss, deployment.Server.Memory().Rss);
            (round == 0 ? firstRound : latencies).AddRange(results.Select((firstToken, call) => firstToken - modelDelay[call, current]));
        }

        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var during = deployment.Server.Memory();
        latencies.Sort();
        firstRound.Sort();
        Console.WriteLine($"8. AI on the phone: {calls} ConversationRelay sessions at once, {rounds} rounds of a final prompt from every caller at the same moment");
        Console.WriteLine($"   stand-in model (not a language model): first token after {FirstTokenDelay.TotalMilliseconds:F0} ms, {Tokens.Length} tokens {TokenGap.TotalMilliseconds:F0} ms apart");
        Console.WriteLine("   final prompt sent -> first text token received, less the stand-in's own time to its first token:");
        Console.WriteLine($"     first round (the server's connections to the model opened, code not yet JIT-compiled): p50 {Percentile(firstRound, 50):F1} ms   p99 {Percentile(firstRound, 99):F1} ms   max {firstRound[^1]:F1} ms ({firstRound.Count} turns)");
        Console.WriteLine($"     later rounds: p50 {Percentile(latencies, 50):F1} ms   p99 {Percentile(latencies, 99):F1} ms   max {latencies[^1]:F1} ms ({latencies.Count} turns)");
        Console.WriteLine($"   server RSS {before.Rss:F0} MiB before the sessions, {during.Rss:F0} MiB with them open after {rounds} turns each (peak {Math.Max(peakRss, during.Peak):F0} MiB): {(during.Rss - before.Rss) * 1024 / calls:F0} KiB per call; CPU {during.CpuSeconds - before.CpuSeconds:F1} s over {wall:F1} s");
        Console.WriteLine();
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>Sends the call's final prompt; the time to the first text token (ms), after reading the whole answer.</summary>
    private static async Task<double> TurnAsync(ClientWebSocket socket, int call, int round)
    {
        var sent = Stopwatch.GetTimestamp();
        await SendAsync(socket, $$"""{"type":"prompt","voicePrompt":"call {{call}} round {{round}}: when do you open?","lang":"en-US","last":true}""");
        double? first = null;
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            first ??= Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            var message = JsonNode.Parse(buffer.AsSpan(0, result.Count))!;
            if ((string?)message["type"] != "text")
            {
                throw new InvalidOperationException($"Call {call} got {message.ToJsonString()} instead of text.");
            }

            if ((bool)message["last"]!)
            {
                return first.Value;
            }
        }
    }

    private static double Percentile(List<double> sorted, int percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The stand-in model: streams <see cref="Tokens"/> as chat completion chunks, recording its own time to the first.</summary>
    private static async Task<WebApplication> StartModelAsync(int port, double[,] modelDelay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            var arrived = Stopwatch.GetTimestamp();
            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            var prompt = request.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content").ToString();
            var words = prompt.Split(' ', ':');
            var (call, round) = (int.Parse(words[1], CultureInfo.InvariantCulture), int.Parse(words[3], CultureInfo.InvariantCulture));
            context.Response.ContentType = "text/event-stream";
            await Task.Delay(FirstTokenDelay);
            for (var i = 0; i < Tokens.Length; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(TokenGap);
                }

                var chunk = new JsonObject
                {
                    ["id"] = "chatcmpl-bench", ["object"] = "chat.completion.chunk", ["created"] = 1_790_000_000, ["model"] = "stand-in",
                    ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = Tokens[i] }, ["finish_reason"] = i == Tokens.Length - 1 ? "stop" : null }),
                };
                await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
                await context.Response.Body.FlushAsync();
                if (i == 0)
                {
                    modelDelay[call, round] = Stopwatch.GetElapsedTime(arrived).TotalMilliseconds;
                }
            }

            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        await app.StartAsync();
        return app;
    }
}
