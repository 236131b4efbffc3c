using System.Net.WebSockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The layering read from the compiled server: which capability namespace uses which, from its types' signatures
/// and from the members its method bodies call. Program, the composition root, is in the global namespace and so
/// outside the graph; nothing else is exempt. (A constant is copied into the code that reads it, so a use of a
/// constant alone is not seen.)
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly NamespaceGraph Graph = NamespaceGraph.Read(typeof(Program).Assembly, [], depth: 3);

    private static readonly NamespaceGraph Layers = NamespaceGraph.Read(typeof(Program).Assembly, [], depth: 2);

    [Fact]
    public void NoNamespaceDependsOnItselfThroughOthers()
    {
        var cycles = Graph.Cycles();

        Assert.True(cycles.Count == 0, "Namespaces that depend on each other in a circle:\n" + string.Join("\n", cycles.Select(Graph.Describe)));
    }

    [Fact]
    public void NoLayerDependsOnItselfThroughOthers()
    {
        var cycles = Layers.Cycles();

        Assert.True(cycles.Count == 0, "Layers that depend on each other in a circle:\n" + string.Join("\n", cycles.Select(Layers.Describe)));
    }

    [Fact]
    public void CoreImportsNoBackendDoorOrHosting()
    {
        string[] outer = ["FlexAgentPlugin.Backends", "FlexAgentPlugin.Doors", "FlexAgentPlugin.Hosting"];
        var wrong = Graph.Edges
            .Where(e => NamespaceGraph.IsUnder(e.From, "FlexAgentPlugin.Core") && outer.Any(o => NamespaceGraph.IsUnder(e.To, o)))
            .Select(e => $"{e.From} -> {e.To} ({string.Join(", ", Graph.Reasons(e.From, e.To).Take(3))})")
            .ToList();

        Assert.True(wrong.Count == 0, "Core uses outer layers:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void NoDoorRunsASocketSession()
    {
        // A door accepts Twilio's WebSocket upgrade and hands the socket to the engine at once: no door type keeps a
        // socket or takes one as a parameter. (An async handler's hoisted local is in a compiler-generated type.)
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var holders = typeof(Program).Assembly.GetTypes()
            .Where(t => NamespaceGraph.IsUnder(t.Namespace ?? "", "FlexAgentPlugin.Doors") && !t.IsDefined(typeof(CompilerGeneratedAttribute)))
            .Where(t => t.GetFields(all).Any(f => f.FieldType == typeof(WebSocket))
                || t.GetConstructors(all).Cast<MethodBase>().Concat(t.GetMethods(all)).Any(m => m.GetParameters().Any(p => p.ParameterType == typeof(WebSocket))))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(holders.Count == 0, "Doors that run a socket's session themselves:\n" + string.Join("\n", holders));
    }

    [Fact]
    public void TheGraphSeesTheEngineUsedByItsDoors()
    {
        // Guards the reader itself: a scan that found nothing would pass both tests above.
        Assert.Contains(Graph.Edges, e => e.From == "FlexAgentPlugin.Doors.GptAction" && e.To == "FlexAgentPlugin.Core.Exchanges");
        Assert.Contains(Graph.Edges, e => e.From == "FlexAgentPlugin.Backends.Postgres" && e.To == "FlexAgentPlugin.Core.State");
    }
}
