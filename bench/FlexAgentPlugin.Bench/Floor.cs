using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace FlexAgentPlugin.Bench;

/// <summary>
/// What ASP.NET Core itself costs per waiting request, with nothing of this server in it: a bare minimal-API app (the
/// default builder, one endpoint that binds the JSON body and waits) holds the same callers as part 3, each on its own
/// HTTP/1.1 connection, with the server's GC mode (workstation). The server's memory per waiting call, less this, is
/// what this server adds.
/// </summary>
internal static class Floor
{
    /// <summary>The benchmark's own program, started with this argument and a URL, serves the bare app.</summary>
    public const string ServeArgument = "--floor-serve";

    private sealed record Message(string Msg);

    public static async Task ServeAsync(string url)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = 0;
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/waiting", () => Volatile.Read(ref waiting));
        app.MapPost("/release", () => released.TrySetResult());
        app.MapPost("/send/{username}", async (string username, Message message) =>
        {
            Interlocked.Increment(ref waiting);
            await released.Task;
            return Results.Json(new { replies = new[] { Exchange.AutoReplyTo(message.Msg) } });
        });
        await app.RunAsync();
    }

    public static async Task RunAsync(int users, int rampPauseMs, bool heapProfile)
    {
        var url = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
        await using var floor = await ChildProcess.StartAsync(
            "bare ASP.NET Core app", typeof(Floor).Assembly.Location, url, [new("ASPNETCORE_URLS", url.ToString())], [ServeArgument, url.ToString()]);
        var (idleRss, _, _, _) = floor.Memory();
        var idleHeap = heapProfile ? await HeapProfile.TakeAsync(floor.Pid) : [];
        using var callers = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = url, Timeout = TimeSpan.FromMinutes(10) };
        using var monitor = new HttpClient { BaseAddress = url };
        var wrong = 0;
        var sends = Crowd.StartUsers(
            (name, text) => Exchange.SendAsync(callers, name, text), users, rampPauseMs, new ConcurrentDictionary<string, DateTimeOffset>(),
            () => { }, () => { }, _ => Interlocked.Increment(ref wrong));

        // The RSS is read every 50 ms until every request is in the endpoint, and for 5 s more.
        var peakRss = 0.0;
        var allIn = new Stopwatch();
        while (!allIn.IsRunning || allIn.Elapsed < TimeSpan.FromSeconds(5))
        {
            peakRss = Math.Max(peakRss, floor.Memory().Rss);
            if (!allIn.IsRunning && int.Parse(await monitor.GetStringAsync("/waiting"), CultureInfo.InvariantCulture) >= users)
            {
                allIn.Start();
            }

            await Task.Delay(50);
        }

        var (settledRss, hwm, threads, cpu) = floor.Memory();
        if (heapProfile)
        {
            HeapProfile.PrintGrowth("Heap profile (bare ASP.NET Core app)", idleHeap, await HeapProfile.TakeAsync(floor.Pid), users, idleRss, floor.Memory().Rss);
        }

        (await monitor.PostAsync("/release", null)).EnsureSuccessStatusCode();
        await Task.WhenAll(sends);
        Console.WriteLine($"8. Floor: {users} callers waiting at once on a bare ASP.NET Core app (default builder, one minimal-API endpoint that binds the JSON body and waits), each on its own HTTP/1.1 connection");
        Console.WriteLine($"   wrong or failed replies once released: {wrong} of {users}");
        Console.WriteLine($"   memory: idle {idleRss:F0} MiB, peak RSS {Math.Max(peakRss, hwm):F0} MiB (VmHWM {hwm:F0} MiB), {(Math.Max(peakRss, hwm) - idleRss) * 1024 / users:F1} KiB per waiting call; "
            + $"{settledRss:F0} MiB once they all wait; threads {threads}; CPU {cpu:F1} s");
        Console.WriteLine();
    }
}
