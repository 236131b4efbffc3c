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
}
