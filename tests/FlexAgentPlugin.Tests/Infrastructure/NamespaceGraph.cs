using System.Reflection;
using System.Reflection.Emit;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// Which capability namespace of an assembly uses which, read from the compiled code: base types, interfaces,
/// fields, properties, method signatures, locals and every type or member a method body names (IL tokens).
/// A node is the namespace cut after <c>depth</c> parts: 3 for a capability (FlexAgentPlugin.Core.Replies), 2 for a
/// layer (FlexAgentPlugin.Core); a compiler-generated type counts for the type that declares it.
/// </summary>
public sealed class NamespaceGraph
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly Assembly _assembly;
    private readonly HashSet<string> _excluded;
    private readonly int _depth;
    private readonly Dictionary<(string From, string To), SortedSet<string>> _reasons = [];

    private NamespaceGraph(Assembly assembly, IEnumerable<string> excludedTypes, int depth)
    {
        _assembly = assembly;
        _depth = depth;
        _excluded = new HashSet<string>(excludedTypes, StringComparer.Ordinal);
    }

    /// <summary>Every edge between two different capabilities.</summary>
    public IEnumerable<(string From, string To)> Edges => _reasons.Keys;

    public static NamespaceGraph Read(Assembly assembly, IEnumerable<string> excludedTypes, int depth)
    {
        var graph = new NamespaceGraph(assembly, excludedTypes, depth);
        foreach (var type in assembly.GetTypes())
        {
            graph.Scan(type);
        }
        return graph;
    }

    public static bool IsUnder(string ns, string prefix) =>
        ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);

    /// <summary>The types that make one capability use another, for a failure message.</summary>
    public IEnumerable<string> Reasons(string from, string to) =>
        _reasons.TryGetValue((from, to), out var why) ? why : [];

    /// <summary>Strongly connected components of more than one capability (Tarjan).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var nodes = _reasons.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var next = nodes.ToDictionary(n => n, n => _reasons.Keys.Where(e => e.From == n).Select(e => e.To).ToList());
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var found = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var target in next[node])
            {
                if (!index.TryGetValue(target, out var seen))
                {
                    Visit(target);
                    low[node] = Math.Min(low[node], low[target]);
                }
                else if (onStack.Contains(target))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }
            if (low[node] != index[node])
            {
                return;
            }
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != node);
            if (component.Count > 1)
            {
                found.Add(component.Order(StringComparer.Ordinal).ToList());
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }
        return found;
    }

    /// <summary>A cycle's members and, for each edge inside it, a few of the types that make it.</summary>
    public string Describe(IReadOnlyList<string> cycle)
    {
        var inside = _reasons.Keys.Where(e => cycle.Contains(e.From) && cycle.Contains(e.To))
            .Select(e => $"    {e.From} -> {e.To}: {string.Join(", ", Reasons(e.From, e.To).Take(4))}");
        return $"[{string.Join(", ", cycle)}]\n{string.Join("\n", inside)}";
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        return type;
    }

    private string? Capability(Type type)
    {
        var ns = Outermost(type).Namespace;
        if (ns is null || !IsUnder(ns, "FlexAgentPlugin"))
        {
            return null;
        }
        var parts = ns.Split('.');
        return string.Join('.', parts.Take(_depth));
    }

    private void Scan(Type type)
    {
        var owner = Outermost(type);
        if (_excluded.Contains(owner.FullName!) || Capability(type) is not { } from)
        {
            return;
        }
        var name = owner.Name;
        Use(from, name, type.BaseType);
        foreach (var used in type.GetInterfaces())
        {
            Use(from, name, used);
        }
        foreach (var attribute in type.CustomAttributes)
        {
            Use(from, name, attribute.AttributeType);
        }
        foreach (var field in type.GetFields(Everything))
        {
            Use(from, name, field.FieldType);
        }
        foreach (var property in type.GetProperties(Everything))
        {
            Use(from, name, property.PropertyType);
        }
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
            {
                Use(from, name, info.ReturnType);
            }
            foreach (var parameter in method.GetParameters())
            {
                Use(from, name, parameter.ParameterType);
            }
            ScanBody(from, name, method);
        }
    }

    private void ScanBody(string from, string name, MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            return;
        }
        foreach (var local in body.LocalVariables)
        {
            Use(from, name, local.LocalType);
        }
        var il = body.GetILAsByteArray() ?? [];
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at];
            at++;
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[at]);
                at++;
            }
            if (!OpCodesByValue.TryGetValue(value, out var op))
            {
                return;
            }
            var size = OperandSize(op, il, at);
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                UseToken(from, name, BitConverter.ToInt32(il, at), typeArgs, methodArgs);
            }
            at += size;
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private void UseToken(string from, string name, int token, Type[]? typeArgs, Type[]? methodArgs)
    {
        MemberInfo? member;
        try
        {
            member = _assembly.ManifestModule.ResolveMember(token, typeArgs, methodArgs);
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException)
        {
            // A token into another module or one that needs generic context we lack: nothing of ours to learn.
            return;
        }
        switch (member)
        {
            case Type type:
                Use(from, name, type);
                break;
            case FieldInfo field:
                Use(from, name, field.DeclaringType);
                Use(from, name, field.FieldType);
                break;
            case MethodBase called:
                Use(from, name, called.DeclaringType);
                if (called.IsGenericMethod)
                {
                    foreach (var argument in called.GetGenericArguments())
                    {
                        Use(from, name, argument);
                    }
                }
                break;
        }
    }

    private void Use(string from, string name, Type? used)
    {
        if (used is null || used.IsGenericParameter)
        {
            return;
        }
        if (used.HasElementType)
        {
            Use(from, name, used.GetElementType());
            return;
        }
        if (used.IsGenericType && !used.IsGenericTypeDefinition)
        {
            foreach (var argument in used.GetGenericArguments())
            {
                Use(from, name, argument);
            }
            used = used.GetGenericTypeDefinition();
        }
        if (used.Assembly != _assembly || _excluded.Contains(Outermost(used).FullName!) || Capability(used) is not { } to || to == from)
        {
            return;
        }
        if (!_reasons.TryGetValue((from, to), out var why))
        {
            _reasons[(from, to)] = why = new SortedSet<string>(StringComparer.Ordinal);
        }
        why.Add($"{name} uses {Outermost(used).Name}");
    }
}
