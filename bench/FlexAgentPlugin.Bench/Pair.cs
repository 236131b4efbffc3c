using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FlexAgentPlugin.Bench;

/// <summary>
/// 7. Two instances on one PostgreSQL: N users wait at once, split over both instances; the simulated agent answers
/// each a set time after its message, and each answer's webhook is handed by a splitter (in this process) to a random
/// instance, so about half the replies must cross instances (NOTIFY/LISTEN). Every reply is checked and timed from
/// the agent's message being created to the caller's response.
/// </summary>
internal static class Pair
{
    public static async Task RunAsync(string root, int users, int rampPauseMs, string postgresServer, string arriving, double agentDelaySeconds)
    {
        var databaseName = "flexagent_bench_" + Guid.NewGuid().ToString("N")[..12];
        var server = new NpgsqlConnectionStringBuilder(postgresServer) { Database = "postgres", Pooling = false, Multiplexing = false };
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {databaseName}");
        try
        {
            var database = new NpgsqlConnectionStringBuilder(postgresServer) { Database = databaseName }.ConnectionString;
            await RunOnAsync(root, users, rampPauseMs, database, arriving, agentDelaySeconds);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)");
        }
    }

    private static async Task RunOnAsync(string root, int users, int rampPauseMs, string database, string arriving, double agentDelaySeconds)
    {
        var splitterPort = ChildProcess.FreePort();
        var backends = new Uri[2];
        var forwarded = new long[2];
        var agentWebhooks = new ConcurrentDictionary<string, (DateTimeOffset Arrived, double ForwardMs, int To)>();
        await using var splitter = await StartSplitterAsync(splitterPort, backends, forwarded, agentWebhooks);
        var (emulator, a, b, _) = await Deployment.StartPairAsync(root, agentDelaySeconds, database, $"http://127.0.0.1:{splitterPort}",
            new Dictionary<string, string> { ["REPLY_TIMEOUT_SECONDS"] = "0" });
        await using var emulatorProcess = emulator;
        await using var serverA = a;
        await using var serverB = b;
        backends[0] = a.BaseAddress;
        backends[1] = b.BaseAddress;

        using var callersA = Callers(a.BaseAddress);
        using var callersB = Callers(b.BaseAddress);
        using var emulatorClient = new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var answeredAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var waiting = 0;
        var peakWaiting = 0;
        var wrong = 0;
        var whatWentWrong = new ConcurrentDictionary<string, int>();
        var (_, _, _, cpuA0) = a.Memory();
        var (_, _, _, cpuB0) = b.Memory();
        var startedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.StartNew();
        var sends = Crowd.StartUsers(
            (name, text) => Exchange.SendAsync(int.Parse(name.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? callersA : callersB, name, text),
            users, rampPauseMs, answeredAt,
            () => Stats.InterlockedMax(ref peakWaiting, Interlocked.Increment(ref waiting)), () => Interlocked.Decrement(ref waiting),
            reply =>
            {
                Interlocked.Increment(ref wrong);
                whatWentWrong.AddOrUpdate(reply.Length > 160 ? reply[..160] : reply, 1, (_, n) => n + 1);
            });
        var allStarted = started.Elapsed;
        var peakA = 0.0;
        var peakB = 0.0;
        while (!Task.WhenAll(sends).IsCompleted)
        {
            peakA = Math.Max(peakA, a.Memory().Rss);
            peakB = Math.Max(peakB, b.Memory().Rss);
            await Task.Delay(200);
        }

        await Task.WhenAll(sends);
        var total = started.Elapsed;
        var replied = await Exchange.LastMessageTimesAsync(emulatorClient);
        var latencies = answeredAt.Where(x => replied.ContainsKey(x.Key)).Select(x => (x.Value - replied[x.Key]).TotalMilliseconds).Order().ToList();
        var (_, hwmA, _, cpuA1) = a.Memory();
        var (_, hwmB, _, cpuB1) = b.Memory();

        Console.WriteLine($"7. Two instances on one PostgreSQL: {users} users waiting at once{arriving}, split over both; each agent reply's webhook to a random instance (agent answers each {agentDelaySeconds:F0} s after its message)");
        Console.WriteLine($"   all {users} requests started in {allStarted.TotalSeconds:F1} s; peak waiting at once: {peakWaiting}; wrong, failed or missing replies: {wrong}; answered: {latencies.Count} of {users}; all done after {total.TotalSeconds:F1} s");
        // The agent answers each message a set time after it reached Twilio: so when the users' messages were in, set-up done.
        var posted = replied.Values.Select(at => (at - startedAt).TotalSeconds - agentDelaySeconds).Order().ToList();
        Console.WriteLine($"   users' messages in Twilio: half by {Stats.Percentile(posted, 50):F1} s, all by {(posted.Count > 0 ? posted[^1] : double.NaN):F1} s after the first request");
        foreach (var (answer, count) in whatWentWrong.OrderByDescending(x => x.Value).Take(5))
        {
            Console.WriteLine($"   {count} times: {answer}");
        }

        Console.WriteLine($"   webhooks handed to A: {Interlocked.Read(ref forwarded[0])}, to B: {Interlocked.Read(ref forwarded[1])}");
        Console.WriteLine($"   reply latency, agent message created -> HTTP response: p50 {Stats.Percentile(latencies, 50):F1} ms   p99 {Stats.Percentile(latencies, 99):F1} ms   max {(latencies.Count > 0 ? latencies[^1] : double.NaN):F1} ms");
        // Where the time goes: the agent's message to its webhook reaching the balancer (the emulator's part), the
        // balancer handing it to an instance (that instance's webhook handling), and the webhook's arrival to the answer.
        var sids = await Exchange.ConversationSidsAsync(emulatorClient);
        var traced = answeredAt.Where(x => replied.ContainsKey(x.Key) && sids.TryGetValue(x.Key, out var sid) && agentWebhooks.ContainsKey(sid))
            .Select(x => (Created: replied[x.Key], Hook: agentWebhooks[sids[x.Key]], Answered: x.Value, WaitedOn: int.Parse(x.Key.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture) % 2)).ToList();
        var toBalancer = traced.Select(t => (t.Hook.Arrived - t.Created).TotalMilliseconds).Order().ToList();
        var forward = traced.Select(t => t.Hook.ForwardMs).Order().ToList();
        var afterWebhook = traced.Select(t => (t.Answered - t.Hook.Arrived).TotalMilliseconds).Order().ToList();
        Console.WriteLine($"   of which: agent message -> its webhook at the balancer p50 {Stats.Percentile(toBalancer, 50):F1} / p99 {Stats.Percentile(toBalancer, 99):F1} ms;"
            + $" webhook handled by an instance p50 {Stats.Percentile(forward, 50):F1} / p99 {Stats.Percentile(forward, 99):F1} ms;"
            + $" webhook at the balancer -> caller's answer p50 {Stats.Percentile(afterWebhook, 50):F1} / p99 {Stats.Percentile(afterWebhook, 99):F1} ms ({traced.Count} replies)");
        var sameInstance = traced.Where(t => t.Hook.To == t.WaitedOn).Select(t => (t.Answered - t.Created).TotalMilliseconds).Order().ToList();
        var crossed = traced.Where(t => t.Hook.To != t.WaitedOn).Select(t => (t.Answered - t.Created).TotalMilliseconds).Order().ToList();
        Console.WriteLine($"   webhook to the caller's own instance ({sameInstance.Count}): p50 {Stats.Percentile(sameInstance, 50):F1} / p99 {Stats.Percentile(sameInstance, 99):F1} ms;"
            + $" to the other, through NOTIFY ({crossed.Count}): p50 {Stats.Percentile(crossed, 50):F1} / p99 {Stats.Percentile(crossed, 99):F1} ms");
        Console.WriteLine($"   server A: peak RSS {Math.Max(peakA, hwmA):F0} MiB, CPU {cpuA1 - cpuA0:F1} s; server B: peak RSS {Math.Max(peakB, hwmB):F0} MiB, CPU {cpuB1 - cpuB0:F1} s");
        Console.WriteLine();
    }

    /// <summary>Hands each request (Twilio's webhooks) to one of the two instances at random, as a load balancer would.</summary>
    private static async Task<WebApplication> StartSplitterAsync(int port, Uri[] backends, long[] forwarded, ConcurrentDictionary<string, (DateTimeOffset Arrived, double ForwardMs, int To)> agentWebhooks)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 });
        app.Run(async context =>
        {
            var arrived = DateTimeOffset.UtcNow;
            var pick = Random.Shared.Next(2);
            Interlocked.Increment(ref forwarded[pick]);
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var form = System.Web.HttpUtility.ParseQueryString(System.Text.Encoding.UTF8.GetString(body.ToArray()));
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(backends[pick], $"{context.Request.Path}{context.Request.QueryString}"))
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            foreach (var header in context.Request.Headers.Where(h => h.Key is not ("Host" or "Content-Length" or "Content-Type")))
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }

            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            var forwarding = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            if (form["EventType"] == "onMessageAdded" && form["Author"]?.StartsWith("crowd", StringComparison.Ordinal) == false && form["ConversationSid"] is { } sid)
            {
                agentWebhooks.TryAdd(sid, (arrived, forwarding.Elapsed.TotalMilliseconds, pick));
            }

            context.Response.StatusCode = (int)response.StatusCode;
            await response.Content.CopyToAsync(context.Response.Body);
        });
        await app.StartAsync();
        return app;
    }

    private static HttpClient Callers(Uri address) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(10) };

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
