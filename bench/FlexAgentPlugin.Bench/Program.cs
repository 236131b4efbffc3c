using System.Diagnostics;
using System.Globalization;
using FlexAgentPlugin.Bench;

// The benchmark of record for BENCHMARKS.md. It runs the Release builds of the sandbox's Twilio emulator and of the
// server, each as its own process, the server pointed at the emulator as at Twilio, and measures: reply latency and
// REST calls per exchange; many users waiting at once (HTTP/1.1); many more over shared HTTP/2 connections; MCP clients
// waiting at once, next to the same number on /send.
//
//   dotnet build -c Release src/FlexAgentPlugin && dotnet run -c Release --project bench/FlexAgentPlugin.Bench
//
// Options: --exchanges N (1000, 0 skips), --workers N (20), --users N (10000, 0 skips) with --agent-seconds N (the agent's
// answer after each message in that part: 45), --http2-users N (50000, 0 skips),
// --mcp-users N (2000, 0 skips), --mcp-protocol 2025-11-25|2026-07-28 (sessions or none), --ramp-ms N (pause after every
// 200 new users, 20), --heap-profile true (a heap snapshot by type while the users wait, in a run of its own; MCP
// clients with --users 0), --voice-calls N (50, 0 skips) and --voice-seconds N (30): calls streamed to voice assist at
// real time, --phone-calls N (50, 0 skips) and --phone-rounds N (4): ConversationRelay sessions answered by the AI
// with a stand-in model, --pair-users N (10000, 0 skips) with --postgres "Host=…;Username=…;Password=…" (or FLEXAGENT_TEST_POSTGRES):
// two instances on one PostgreSQL against one on SQLite, --pair-rate N (new users a second in that part, both sides: 400;
// 0 starts them as fast as --ramp-ms allows), --pair-agent-seconds N (the agent's answer after each message there: 90,
// so that every user is set up before the first answer), --server-env "NAME=VALUE;NAME=VALUE" (extra environment for the
// server only), --server FOLDER (the server build to run, e.g. the output of
// `dotnet publish src/FlexAgentPlugin -c Release --ucr -o bench/server`, ReadyToRun as in the container image; default:
// the Release build), --floor-users N (0 skips): the same callers waiting on a bare ASP.NET Core app, what the framework
// alone costs per waiting call.
if (args is [Floor.ServeArgument, var floorUrl])
{
    await Floor.ServeAsync(floorUrl);
    return 0;
}

var arguments = args.Chunk(2).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0], pair => pair[1]);
int Option(string name, int fallback) => int.Parse(arguments.GetValueOrDefault(name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
var root = FindRepositoryRoot();
var exchanges = Option("--exchanges", 1000);
var workers = Option("--workers", 20);
var users = Option("--users", 10_000);
var agentSeconds = Option("--agent-seconds", 45);
var http2Users = Option("--http2-users", 50_000);
var mcpUsers = Option("--mcp-users", 2_000);
Crowd.McpProtocol = arguments.GetValueOrDefault("--mcp-protocol") ?? Crowd.McpProtocol;
var rampPauseMs = Option("--ramp-ms", 20);
var heapProfile = arguments.GetValueOrDefault("--heap-profile") == "true";
var voiceCalls = Option("--voice-calls", 50);
var pairUsers = Option("--pair-users", 10_000);
var pairRate = Option("--pair-rate", 400);
var pairRampMs = pairRate > 0 ? 200 * 1000 / pairRate : rampPauseMs;
var pairAgentSeconds = Option("--pair-agent-seconds", 90);
var postgres = arguments.GetValueOrDefault("--postgres") ?? Environment.GetEnvironmentVariable("FLEXAGENT_TEST_POSTGRES");
var voiceSeconds = Option("--voice-seconds", 30);
var phoneCalls = Option("--phone-calls", 50);
var phoneRounds = Option("--phone-rounds", 4);
var floorUsers = Option("--floor-users", 0);
Deployment.ExtraServerEnvironment = (arguments.GetValueOrDefault("--server-env") ?? "")
    .Split(';', StringSplitOptions.RemoveEmptyEntries)
    .Select(pair => pair.Split('=', 2))
    .ToDictionary(pair => pair[0], pair => pair[1]);
Deployment.ServerFolder = arguments.GetValueOrDefault("--server") is { } serverFolder ? Path.GetFullPath(serverFolder) : null;
foreach (var assembly in new[] { Deployment.ServerAssembly(root), Path.Combine(root, "src", "FlexAgentPlugin.Sandbox", "bin", "Release", "net10.0", "FlexAgentPlugin.Sandbox.dll") })
{
    if (!File.Exists(assembly))
    {
        Console.Error.WriteLine($"Missing {assembly}: build the server first (dotnet build -c Release src/FlexAgentPlugin), and publish it to the --server folder when one is given.");
        return 1;
    }
}

Console.WriteLine($"FlexAgentPlugin benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine();

if (heapProfile && floorUsers == 0)
{
    // With --mcp-users N (and --users 0) the callers are MCP clients.
    await Crowd.ProfileAsync(root, users > 0 ? users : mcpUsers, rampPauseMs, users > 0 ? Door.SendHttp1 : Door.Mcp);
    return 0;
}

if (exchanges > 0)
{
    await LatencyAndCallsAsync(root, exchanges, workers);
}

if (users > 0)
{
    await Crowd.RunAsync(root, users, rampPauseMs, Door.SendHttp1, "3.", agentSeconds);
}

if (http2Users > 0)
{
    await Crowd.RunAsync(root, http2Users, rampPauseMs, Door.SendHttp2, "4.");
}

if (mcpUsers > 0)
{
    await Crowd.RunAsync(root, mcpUsers, rampPauseMs, Door.Mcp, "5.");
    await Crowd.RunAsync(root, mcpUsers, rampPauseMs, Door.SendHttp1, "5'. For comparison:");
}

if (pairUsers > 0 && postgres is not null)
{
    var arriving = pairRate > 0 ? $", {pairRate} new users a second" : "";
    await Pair.RunAsync(root, pairUsers, pairRampMs, postgres, arriving, pairAgentSeconds);
    await Crowd.RunAsync(root, pairUsers, pairRampMs, Door.SendHttp1, $"7'. For comparison, one instance on SQLite{arriving}:", pairAgentSeconds);
}
else if (pairUsers > 0)
{
    Console.WriteLine("7. Two instances on PostgreSQL: skipped (give --postgres \"Host=…;Username=…;Password=…\", a role that may create databases).");
    Console.WriteLine();
}

if (voiceCalls > 0)
{
    await VoiceLoad.RunAsync(root, voiceCalls, voiceSeconds);
}

if (phoneCalls > 0)
{
    await PhoneAiLoad.RunAsync(root, phoneCalls, phoneRounds);
}

if (floorUsers > 0)
{
    await Floor.RunAsync(floorUsers, rampPauseMs, heapProfile);
}

return 0;

// 1. Latency from the agent's message being created to the caller's HTTP response, and REST calls per exchange.
static async Task LatencyAndCallsAsync(string root, int exchanges, int workers)
{
    await using var deployment = await Deployment.StartAsync(root, autoReplySeconds: 0.05);
    using var http = new HttpClient { BaseAddress = deployment.ClientAddress, Timeout = TimeSpan.FromSeconds(60) };
    using var emulator = new HttpClient { BaseAddress = deployment.Emulator.BaseAddress };

    // Each worker is one returning user. Its first exchanges create the conversation and warm the server
    // (JIT, connection pools) and are not measured.
    var names = Enumerable.Range(0, workers).Select(i => $"bench{i:D3}").ToList();
    await Task.WhenAll(names.Select(async name =>
    {
        for (var i = 0; i < 10; i++)
        {
            await Exchange.SendAsync(http, name, $"warm-up {i}");
        }
    }));
    var sids = await Exchange.ConversationSidsAsync(emulator);
    var restBefore = await Exchange.RestRequestsAsync(emulator);
    var cpuBefore = deployment.Server.Memory().CpuSeconds;

    var latencies = new List<double>();
    var wrong = 0;
    var perWorker = exchanges / workers;
    var started = Stopwatch.StartNew();
    await Task.WhenAll(names.Select(async name =>
    {
        for (var i = 0; i < perWorker; i++)
        {
            var text = $"question {i} from {name}";
            var (reply, answeredAt) = await Exchange.SendAsync(http, name, text);
            if (reply != Exchange.AutoReplyTo(text))
            {
                Interlocked.Increment(ref wrong);
                continue;
            }

            var createdAt = await Exchange.AgentMessageCreatedAsync(emulator, sids[name], reply);
            lock (latencies)
            {
                latencies.Add((answeredAt - createdAt).TotalMilliseconds);
            }
        }
    }));
    var elapsed = started.Elapsed;
    var restCalls = await Exchange.RestRequestsAsync(emulator) - restBefore;
    var cpu = deployment.Server.Memory().CpuSeconds - cpuBefore;

    latencies.Sort();
    var measured = perWorker * workers;
    Console.WriteLine($"1. Reply latency, agent message created -> HTTP response ({measured} exchanges, {workers} returning users in parallel, webhook wake-up)");
    Console.WriteLine($"   p50 {Stats.Percentile(latencies, 50):F1} ms   p90 {Stats.Percentile(latencies, 90):F1} ms   p99 {Stats.Percentile(latencies, 99):F1} ms   max {latencies[^1]:F1} ms");
    Console.WriteLine($"   wrong or missing replies: {wrong}; wall time {elapsed.TotalSeconds:F1} s; server CPU {cpu:F1} s ({cpu * 1000 / measured:F2} ms per exchange)");
    Console.WriteLine($"2. Twilio REST calls per exchange (returning user): {restCalls / (double)measured:F2} ({restCalls} calls / {measured} exchanges)");
    Console.WriteLine();
}

static string FindRepositoryRoot()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "FlexAgentPlugin.sln")))
        {
            return folder.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
