using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Bench;

// The benchmark of record for BENCHMARKS.md. It runs the built server (Release) in sandbox mode, with the
// sandbox's simulated agent, and measures: reply latency, REST calls per exchange, and 10,000 waiting users.
//
//   dotnet build -c Release src/FlexAgentPlugin && dotnet run -c Release --project bench/FlexAgentPlugin.Bench
//
// Options: --server PATH (FlexAgentPlugin.dll), --exchanges N (1000), --workers N (20), --users N (10000),
// --skip-crowd true, --ramp-ms N (pause after every 200 new users, 20), --server-env "NAME=VALUE;NAME=VALUE" (extra environment for the server only).
var arguments = args.Chunk(2).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0], pair => pair[1]);
var root = FindRepositoryRoot();
var serverDll = arguments.GetValueOrDefault("--server") ?? Path.Combine(root, "src", "FlexAgentPlugin", "bin", "Release", "net10.0", "FlexAgentPlugin.dll");
var exchanges = int.Parse(arguments.GetValueOrDefault("--exchanges") ?? "1000", CultureInfo.InvariantCulture);
var workers = int.Parse(arguments.GetValueOrDefault("--workers") ?? "20", CultureInfo.InvariantCulture);
var users = int.Parse(arguments.GetValueOrDefault("--users") ?? "10000", CultureInfo.InvariantCulture);
var skipCrowd = arguments.GetValueOrDefault("--skip-crowd") == "true";
var rampPauseMs = int.Parse(arguments.GetValueOrDefault("--ramp-ms") ?? "20", CultureInfo.InvariantCulture);
ServerProcess.ExtraEnvironment = (arguments.GetValueOrDefault("--server-env") ?? "")
    .Split(';', StringSplitOptions.RemoveEmptyEntries)
    .Select(pair => pair.Split('=', 2))
    .ToDictionary(pair => pair[0], pair => pair[1]);
if (!File.Exists(serverDll))
{
    Console.Error.WriteLine($"Build the server first (dotnet build -c Release src/FlexAgentPlugin); not found: {serverDll}");
    return 1;
}

Console.WriteLine($"FlexAgentPlugin benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"server: {serverDll}");
Console.WriteLine();

await LatencyAndCallsAsync(serverDll, exchanges, workers);
if (!skipCrowd)
{
    await ManyWaitingUsersAsync(serverDll, users, rampPauseMs);
}

return 0;

// 1. Latency from the agent's message being created to the caller's HTTP response, and REST calls per exchange.
static async Task LatencyAndCallsAsync(string serverDll, int exchanges, int Workers)
{
    await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>
    {
        ["SANDBOX"] = "true",
        ["SANDBOX_AUTO_REPLY_SECONDS"] = "0.05",
    });
    using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    // Each worker is one returning user. Its first exchanges create the conversation and warm the server
    // (JIT, connection pools) and are not measured.
    var names = Enumerable.Range(0, Workers).Select(i => $"bench{i:D3}").ToList();
    await Task.WhenAll(names.Select(async name =>
    {
        for (var i = 0; i < 10; i++)
        {
            await ExchangeAsync(http, name, $"warm-up {i}");
        }
    }));
    var sids = await ConversationSidsAsync(http);
    var restBefore = await RestRequestsAsync(http);

    var latencies = new List<double>();
    var wrong = 0;
    var perWorker = exchanges / Workers;
    var started = Stopwatch.StartNew();
    await Task.WhenAll(names.Select(async name =>
    {
        for (var i = 0; i < perWorker; i++)
        {
            var text = $"question {i} from {name}";
            var (reply, answeredAt) = await ExchangeAsync(http, name, text);
            if (reply != $"(auto-reply) Thanks, I received: {text}")
            {
                Interlocked.Increment(ref wrong);
                continue;
            }

            var createdAt = await AgentMessageCreatedAsync(http, sids[name], reply);
            lock (latencies)
            {
                latencies.Add((answeredAt - createdAt).TotalMilliseconds);
            }
        }
    }));
    var elapsed = started.Elapsed;
    var restCalls = await RestRequestsAsync(http) - restBefore;

    latencies.Sort();
    var measured = perWorker * Workers;
    Console.WriteLine($"1. Reply latency, agent message created -> HTTP response ({measured} exchanges, {Workers} returning users in parallel, webhook wake-up)");
    Console.WriteLine($"   p50 {Percentile(latencies, 50):F1} ms   p90 {Percentile(latencies, 90):F1} ms   p99 {Percentile(latencies, 99):F1} ms   max {latencies[^1]:F1} ms");
    Console.WriteLine($"   wrong or missing replies: {wrong}; wall time {elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"2. Twilio REST calls per exchange (returning user): {restCalls / (double)measured:F2} ({restCalls} calls / {measured} exchanges)");
    Console.WriteLine();
}

// 3. Many users waiting at once: all answered correctly, the server's peak memory, /healthz while they wait.
static async Task ManyWaitingUsersAsync(string serverDll, int users, int rampPauseMs)
{
    const double AgentDelaySeconds = 45;
    await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>
    {
        ["SANDBOX"] = "true",
        ["SANDBOX_AUTO_REPLY_SECONDS"] = AgentDelaySeconds.ToString(CultureInfo.InvariantCulture),
        ["REPLY_TIMEOUT_SECONDS"] = "0",
    });
    var (baselineRss, _, _) = server.Memory();
    using var customers = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
    {
        BaseAddress = server.BaseAddress,
        Timeout = TimeSpan.FromMinutes(5),
    };
    using var monitor = new HttpClient { BaseAddress = server.BaseAddress };

    var waiting = 0;
    var peakWaiting = 0;
    var wrong = 0;
    var sendsStarted = Stopwatch.StartNew();
    var sends = new List<Task>(users);
    for (var i = 0; i < users; i++)
    {
        var name = $"crowd{i:D5}";
        sends.Add(Task.Run(async () =>
        {
            var now = Interlocked.Increment(ref waiting);
            InterlockedMax(ref peakWaiting, now);
            try
            {
                var text = $"hello from {name}";
                var (reply, _) = await ExchangeAsync(customers, name, text);
                if (reply != $"(auto-reply) Thanks, I received: {text}")
                {
                    Interlocked.Increment(ref wrong);
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref wrong);
            }
            finally
            {
                Interlocked.Decrement(ref waiting);
            }
        }));
        if (i % 200 == 199)
        {
            await Task.Delay(rampPauseMs);
        }
    }

    // While they wait: /healthz latency, and the server's memory.
    var health = new List<double>();
    var peakRss = 0.0;
    var peakThreads = 0;
    var allSent = sendsStarted.Elapsed;
    while (Volatile.Read(ref waiting) > users * 0.9 || health.Count < 200)
    {
        var timer = Stopwatch.StartNew();
        using var response = await monitor.GetAsync("/healthz");
        health.Add(timer.Elapsed.TotalMilliseconds);
        var (rss, _, threads) = server.Memory();
        peakRss = Math.Max(peakRss, rss);
        peakThreads = Math.Max(peakThreads, threads);
        await Task.Delay(50);
        if (health.Count > 2000)
        {
            break;
        }
    }

    var waitingWhenMeasured = Volatile.Read(ref waiting);
    await Task.WhenAll(sends);
    var total = sendsStarted.Elapsed;
    var (_, hwm, _) = server.Memory();
    health.Sort();
    Console.WriteLine($"3. {users} users waiting at once (agent answers each {AgentDelaySeconds:F0} s after its message)");
    Console.WriteLine($"   all {users} requests started in {allSent.TotalSeconds:F1} s; peak waiting at once: {peakWaiting}; still waiting after the /healthz sampling: {waitingWhenMeasured}");
    Console.WriteLine($"   wrong, failed or missing replies: {wrong}; all answered after {total.TotalSeconds:F1} s");
    Console.WriteLine($"   server memory: idle {baselineRss:F0} MiB, peak RSS {Math.Max(peakRss, hwm):F0} MiB (VmHWM {hwm:F0} MiB); peak threads {peakThreads}");
    Console.WriteLine($"   /healthz while they wait ({health.Count} requests): p50 {Percentile(health, 50):F1} ms   p99 {Percentile(health, 99):F1} ms   max {health[^1]:F1} ms");
}

static async Task<(string Reply, DateTimeOffset AnsweredAt)> ExchangeAsync(HttpClient http, string username, string text)
{
    using var response = await http.PostAsJsonAsync($"/send/{username}", new { msg = text });
    var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    var answeredAt = DateTimeOffset.UtcNow;
    var replies = body["replies"]?.AsArray();
    return (replies is { Count: 1 } ? (string)replies[0]! : $"unexpected: {body.ToJsonString()}", answeredAt);
}

static async Task<Dictionary<string, string>> ConversationSidsAsync(HttpClient http) =>
    JsonNode.Parse(await http.GetStringAsync("/sandbox/api/conversations"))!.AsArray()
        .ToDictionary(c => (string)c!["customer"]!, c => (string)c!["sid"]!);

static async Task<DateTimeOffset> AgentMessageCreatedAsync(HttpClient http, string sid, string body)
{
    var conversation = JsonNode.Parse(await http.GetStringAsync($"/sandbox/api/conversations/{sid}"))!;
    var message = conversation["messages"]!.AsArray().Last(m => (bool)m!["fromAgent"]! && (string)m["body"]! == body)!;
    return DateTimeOffset.Parse((string)message["createdAt"]!, CultureInfo.InvariantCulture);
}

static async Task<long> RestRequestsAsync(HttpClient http) =>
    (long)JsonNode.Parse(await http.GetStringAsync("/sandbox/api/stats"))!["twilioRestRequests"]!;

static double Percentile(List<double> sorted, int percent) =>
    sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

static void InterlockedMax(ref int target, int value)
{
    int current;
    while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
    {
    }
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
