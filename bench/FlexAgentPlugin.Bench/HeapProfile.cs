using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace FlexAgentPlugin.Bench;

/// <summary>
/// What the live objects of a process are, by type: a GC heap snapshot taken over the runtime's diagnostics port
/// (the events dotnet-gcdump uses), summed per type. It answers "what does a waiting call cost, and where".
/// </summary>
internal static class HeapProfile
{
    public static async Task<IReadOnlyList<(string Type, long Count, long Bytes)>> TakeAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GCHeapSnapshot) };
        using var session = client.StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 1024);
        using var source = new EventPipeEventSource(session.EventStream);
        var names = new Dictionary<ulong, string>();
        var totals = new Dictionary<ulong, (long Count, long Bytes)>();
        var induced = -1;
        source.Clr.TypeBulkType += data =>
        {
            for (var i = 0; i < data.Count; i++)
            {
                names[data.Values(i).TypeID] = data.Values(i).TypeName;
            }
        };
        source.Clr.GCBulkNode += data =>
        {
            for (var i = 0; i < data.Count; i++)
            {
                var node = data.Values(i);
                var (count, bytes) = totals.GetValueOrDefault(node.TypeID);
                totals[node.TypeID] = (count + 1, bytes + (long)node.Size);
            }
        };
        source.Clr.GCStart += data => { if (data.Reason == GCReason.Induced && induced < 0) induced = data.Count; };
        source.Clr.GCStop += data => { if (data.Count == induced) session.Stop(); };
        await Task.Run(source.Process);
        return [.. totals
            .GroupBy(t => names.GetValueOrDefault(t.Key, $"type {t.Key:x}"))
            .Select(g => (g.Key, g.Sum(t => t.Value.Count), g.Sum(t => t.Value.Bytes)))
            .OrderByDescending(t => t.Item3)];
    }

    /// <summary>The runtime's own counters for a few seconds (the last value of each): GC heap size, committed memory, fragmentation.</summary>
    public static async Task<IReadOnlyDictionary<string, double>> CountersAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[] { new EventPipeProvider("System.Runtime", EventLevel.Informational, -1, new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" }) };
        using var session = client.StartEventPipeSession(providers, requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        var values = new Dictionary<string, double>();
        source.Dynamic.All += data =>
        {
            if (data.EventName == "EventCounters" && data.PayloadValue(0) is IDictionary<string, object> outer && outer["Payload"] is IDictionary<string, object> counter)
            {
                var value = counter.TryGetValue("Mean", out var mean) ? mean : counter.TryGetValue("Increment", out var increment) ? increment : 0.0;
                values[(string)counter["Name"]] = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        };
        var processing = Task.Run(source.Process);
        await Task.Delay(TimeSpan.FromSeconds(3));
        session.Stop();
        await processing;
        return values;
    }

    /// <summary>Prints how the heap grew from <paramref name="idle"/> to <paramref name="busy"/> per waiting call, by type.</summary>
    public static void PrintGrowth(
        string title, IReadOnlyList<(string Type, long Count, long Bytes)> idle, IReadOnlyList<(string Type, long Count, long Bytes)> busy, int waiting, double idleRss, double busyRss)
    {
        var before = idle.ToDictionary(t => t.Type, t => (t.Count, t.Bytes));
        var growth = busy.Select(t => (t.Type, Count: t.Count - before.GetValueOrDefault(t.Type).Count, Bytes: t.Bytes - before.GetValueOrDefault(t.Type).Bytes))
            .Where(t => t.Bytes > 0).OrderByDescending(t => t.Bytes).ToList();
        Console.WriteLine($"{title}: {waiting} callers waiting; RSS {idleRss:F0} -> {busyRss:F0} MiB ({(busyRss - idleRss) * 1024 / waiting:F1} KiB each);");
        Console.WriteLine($"managed heap {idle.Sum(t => t.Bytes) / 1048576.0:F1} -> {busy.Sum(t => t.Bytes) / 1048576.0:F1} MiB ({(busy.Sum(t => t.Bytes) - idle.Sum(t => t.Bytes)) / (double)waiting:F0} bytes each). Growth by type:");
        foreach (var (type, count, bytes) in growth.Take(30))
        {
            Console.WriteLine($"   {bytes / (double)waiting,8:F0} B/call {count / (double)waiting,6:F2} objects/call  {type}");
        }
    }
}
