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
    public void TheGraphSeesTheEngineUsedByItsDoors()
    {
        // Guards the reader itself: a scan that found nothing would pass both tests above.
        Assert.Contains(Graph.Edges, e => e.From == "FlexAgentPlugin.Doors.GptAction" && e.To == "FlexAgentPlugin.Core.Exchanges");
        Assert.Contains(Graph.Edges, e => e.From == "FlexAgentPlugin.Backends.Postgres" && e.To == "FlexAgentPlugin.Core.State");
    }
}
