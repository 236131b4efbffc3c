using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace FlexAgentPlugin.Bench;

/// <summary>How the crowd's users reach the server.</summary>
internal enum Door
{
    /// <summary><c>POST /send</c>, each caller on its own HTTP/1.1 connection.</summary>
    SendHttp1,

    /// <summary><c>POST /send</c> over HTTP/2 (h2c) connections the callers share.</summary>
    SendHttp2,

    /// <summary>The MCP tool <c>ask_human_agent</c>, each user its own MCP client (of <see cref="Crowd.McpProtocol"/>) asking for progress.</summary>
    Mcp,
}

/// <summary>
/// Many users waiting at once: each new user sends, the simulated agent answers each 45 s after its message, so they
/// all wait together. Meanwhile /healthz is timed every 50 ms and the server's memory read from /proc. Every reply is
/// checked against the text the agent was given, and timed from the agent's message to the caller's response.
/// </summary>
internal static class Crowd
{
    private const double DefaultAgentDelaySeconds = 45;

    /// <summary>A /healthz answer slower than this (ms, the goal) is counted, with when it came.</summary>
    private const double SlowHealth = 50;

    /// <summary>The MCP protocol revision the clients speak: 2025-11-25 (sessions) or 2026-07-28 (no sessions).</summary>
    public static string McpProtocol { get; set; } = "2025-11-25";

    // The callers wait for their answer on either door: /send without a limit, ask_human_agent for up to 10 minutes.
    private static readonly Dictionary<string, string> WaitForever = new() { ["REPLY_TIMEOUT_SECONDS"] = "0", ["MCP_REPLY_TIMEOUT_SECONDS"] = "600" };

    public static async Task RunAsync(string root, int users, int rampPauseMs, Door door, string label, double agentDelaySeconds = DefaultAgentDelaySeconds)
    {
        var http2 = door == Door.SendHttp2;
        await using var deployment = await Deployment.StartAsync(root, agentDelaySeconds, http2, WaitForever);
        var (idleRss, _, _, cpuBefore) = deployment.Server.Memory();
        using var callers = Callers(deployment.ClientAddress, http2);
        var progressHeard = 0;
        var progress = new Progress(() => Interlocked.Increment(ref progressHeard));
        Func<string, string, Task<(string, DateTimeOffset)>> ask = door == Door.Mcp
            ? (name, text) => AskMcpAsync(callers, name, text, progress)
            : (name, text) => Exchange.SendAsync(callers, name, text);
        using var monitor = new HttpClient { BaseAddress = deployment.Server.BaseAddress };
        using var emulator = new HttpClient { BaseAddress = deployment.Emulator.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

        var answeredAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var waiting = 0;
        var peakWaiting = 0;
        var wrong = 0;
        var whatWentWrong = new ConcurrentDictionary<string, int>();
        var started = Stopwatch.StartNew();
        var sends = StartUsers(ask, users, rampPauseMs, answeredAt, () => Stats.InterlockedMax(ref peakWaiting, Interlocked.Increment(ref waiting)),
            () => Interlocked.Decrement(ref waiting), reply =>
            {
                Interlocked.Increment(ref wrong);
                whatWentWrong.AddOrUpdate(reply.Length > 200 ? reply[..200] : reply, 1, (_, n) => n + 1);
            });
        var allStarted = started.Elapsed;

        var health = new List<double>();
        var slowHealth = new List<double>();
        var peakRss = 0.0;
        var peakThreads = 0;
        while (Volatile.Read(ref waiting) > users * 0.9 || health.Count < 200)
        {
            var timer = Stopwatch.StartNew();
            using var response = await monitor.GetAsync("/healthz");
            health.Add(timer.Elapsed.TotalMilliseconds);
            if (timer.Elapsed.TotalMilliseconds > SlowHealth)
            {
                slowHealth.Add(started.Elapsed.TotalSeconds);
            }
            var (rss, _, threads, _) = deployment.Server.Memory();
            peakRss = Math.Max(peakRss, rss);
            peakThreads = Math.Max(peakThreads, threads);
            await Task.Delay(50);
            if (health.Count > 4000)
            {
                break;
            }
        }

        var waitingWhenMeasured = Volatile.Read(ref waiting);
        var settledRss = deployment.Server.Memory().Rss;
        await Task.WhenAll(sends);
        var total = started.Elapsed;
        var (_, hwm, _, cpuAfter) = deployment.Server.Memory();
        var replied = await Exchange.LastMessageTimesAsync(emulator);
        var latencies = answeredAt.Where(a => replied.ContainsKey(a.Key)).Select(a => (a.Value - replied[a.Key]).TotalMilliseconds).Order().ToList();
        health.Sort();

        var how = door switch
        {
            Door.SendHttp2 => "on /send over HTTP/2 (h2c) connections shared by the callers",
            Door.Mcp => $"each an MCP client ({McpProtocol}, progress asked for) calling ask_human_agent on its own HTTP/1.1 connection",
            _ => "on /send, each on its own HTTP/1.1 connection",
        };
        Console.WriteLine($"{label} {users} users waiting at once, {how} (agent answers each {agentDelaySeconds:F0} s after its message)");
        Console.WriteLine($"   all {users} requests started in {allStarted.TotalSeconds:F1} s; peak waiting at once: {peakWaiting}; still waiting after the /healthz sampling: {waitingWhenMeasured}");
        Console.WriteLine($"   wrong, failed or missing replies: {wrong}; all answered after {total.TotalSeconds:F1} s"
            + (door == Door.Mcp ? $"; progress notifications heard: {progressHeard} ({progressHeard / (double)users:F1} per call)" : ""));
        foreach (var (answer, count) in whatWentWrong.OrderByDescending(x => x.Value).Take(3))
        {
            Console.WriteLine($"      {count} x {answer}");
        }

        Console.WriteLine($"   reply latency, agent message created -> HTTP response: p50 {Stats.Percentile(latencies, 50):F1} ms   p99 {Stats.Percentile(latencies, 99):F1} ms   max {(latencies.Count > 0 ? latencies[^1] : double.NaN):F1} ms ({latencies.Count} replies)");
        Console.WriteLine($"   server memory: idle {idleRss:F0} MiB, peak RSS {Math.Max(peakRss, hwm):F0} MiB (VmHWM {hwm:F0} MiB), {(Math.Max(peakRss, hwm) - idleRss) * 1024 / users:F1} KiB per waiting call; "
            + $"{settledRss:F0} MiB once they all wait; peak threads {peakThreads}; CPU {cpuAfter - cpuBefore:F1} s");
        Console.WriteLine($"   /healthz while they wait ({health.Count} requests): p50 {Stats.Percentile(health, 50):F1} ms   p99 {Stats.Percentile(health, 99):F1} ms   max {health[^1]:F1} ms"
            + $"; {slowHealth.Count} over {SlowHealth} ms" + (slowHealth.Count > 0 ? $", between {slowHealth[0]:F1} and {slowHealth[^1]:F1} s after the first request" : ""));
        Console.WriteLine();
    }

    /// <summary>A heap snapshot of the server by type while <paramref name="users"/> wait: what a waiting call costs, and where.</summary>
    public static async Task ProfileAsync(string root, int users, int rampPauseMs, Door door)
    {
        await using var deployment = await Deployment.StartAsync(root, DefaultAgentDelaySeconds, http2: false, WaitForever);
        var idle = await HeapProfile.TakeAsync(deployment.Server.Pid);
        var idleRss = deployment.Server.Memory().Rss;
        using var callers = Callers(deployment.ClientAddress, http2: false);
        var progress = new Progress(() => { });
        Func<string, string, Task<(string, DateTimeOffset)>> ask = door == Door.Mcp
            ? (name, text) => AskMcpAsync(callers, name, text, progress)
            : (name, text) => Exchange.SendAsync(callers, name, text);
        var waiting = 0;
        var sends = StartUsers(ask, users, rampPauseMs, new ConcurrentDictionary<string, DateTimeOffset>(),
            () => Interlocked.Increment(ref waiting), () => Interlocked.Decrement(ref waiting), _ => { });
        await Task.Delay(TimeSpan.FromSeconds(15));
        var counters = await HeapProfile.CountersAsync(deployment.Server.Pid);
        Console.WriteLine("Runtime counters while they wait: " + string.Join(", ", counters.Where(c => c.Key.StartsWith("gc", StringComparison.Ordinal) || c.Key == "working-set")
            .Select(c => $"{c.Key} {c.Value:F1}")));
        var busy = await HeapProfile.TakeAsync(deployment.Server.Pid);
        var busyRss = deployment.Server.Memory().Rss;
        var stillWaiting = Volatile.Read(ref waiting);

        HeapProfile.PrintGrowth($"Heap profile ({door})", idle, busy, stillWaiting, idleRss, busyRss);
    }

    internal static List<Task> StartUsers(
        Func<string, string, Task<(string Reply, DateTimeOffset At)>> ask, int users, int rampPauseMs, ConcurrentDictionary<string, DateTimeOffset> answeredAt,
        Action started, Action ended, Action<string> wrong)
    {
        var sends = new List<Task>(users);
        for (var i = 0; i < users; i++)
        {
            var name = $"crowd{i:D5}";
            sends.Add(Task.Run(async () =>
            {
                started();
                try
                {
                    var text = $"hello from {name}";
                    var (reply, at) = await ask(name, text);
                    answeredAt[name] = at;
                    if (reply != Exchange.AutoReplyTo(text))
                    {
                        wrong(reply);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or McpException)
                {
                    wrong($"{ex.GetType().Name}: {ex.Message}");
                }
                finally
                {
                    ended();
                }
            }));
            if (i % 200 == 199)
            {
                Thread.Sleep(rampPauseMs);
            }
        }

        return sends;
    }

    /// <summary>One user as an MCP client: connect (initialize), call ask_human_agent with a progress token, hang up.</summary>
    private static async Task<(string Reply, DateTimeOffset AnsweredAt)> AskMcpAsync(HttpClient http, string name, string text, IProgress<ProgressNotificationValue> progress)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            EnableStandaloneGetStream = false,
        }, http);
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = McpProtocol });
        var result = await client.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = text, ["user"] = name }, progress);
        var answeredAt = DateTimeOffset.UtcNow;
        var replies = result.StructuredContent is { } content && content.TryGetProperty("replies", out var list) ? list : default;
        return (result.IsError != true && replies.ValueKind == System.Text.Json.JsonValueKind.Array && replies.GetArrayLength() == 1
            ? replies[0].GetString()!
            : $"unexpected: {result.StructuredContent}", answeredAt);
    }

    private sealed class Progress(Action heard) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => heard();
    }

    private static HttpClient Callers(Uri address, bool http2) => http2
        ? new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromMinutes(10),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        }
        : new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(10) };
}
