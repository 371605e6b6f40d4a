using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using OptOutGate.Engine.Tests.Infrastructure;

namespace OptOutGate.Engine.Tests;

/// <summary>
/// The house rules of the engine assembly, checked on what the compiler produced: it knows no transport (no ASP.NET
/// Core, no gRPC, no Redis), its folders (namespaces follow folders) form no cycle, and Storage is the bottom layer:
/// it uses none of the features built on it.
/// </summary>
public sealed partial class EngineRulesTests
{
    private const string Root = "OptOutGate.Engine";

    private static readonly Assembly Engine = typeof(GateEngine).Assembly;

    /// <summary>What the engine may be compiled against besides the runtime: the contract, FASTER, libphonenumber, logging and options abstractions.</summary>
    private static readonly string[] Allowed =
    [
        "OptOutGate.Contracts", "Google.Protobuf", "FASTER.core", "PhoneNumbers",
        "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Options", "Microsoft.Extensions.Primitives",
    ];

    private static readonly string[] Features = ["Decisions", "Mo", "History", "Workflow"];

    [Fact]
    public void Engine_ReferencesNoAspNetCoreGrpcOrRedis()
    {
        var references = Engine.GetReferencedAssemblies().Select(static a => a.Name!).Order(StringComparer.Ordinal).ToList();

        Assert.DoesNotContain(references, static name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, static name => name.StartsWith("Grpc", StringComparison.Ordinal));
        Assert.DoesNotContain(references, static name => name.StartsWith("StackExchange.Redis", StringComparison.Ordinal));
        var unexpected = references.Where(static name => !IsRuntime(name) && !Allowed.Contains(name)).ToList();
        Assert.True(unexpected.Count == 0, "The engine is compiled against assemblies outside its allowed set: " + string.Join(", ", unexpected));
    }

    [Fact]
    public void Folders_FormNoCycle()
    {
        var edges = FolderEdges();
        var cycles = StronglyConnected(edges).Where(static component => component.Count > 1).ToList();

        var report = new StringBuilder();
        foreach (var cycle in cycles)
        {
            report.Append("Cycle: ").AppendJoin(" <-> ", cycle).AppendLine();
            foreach (var from in cycle)
            {
                foreach (var (to, uses) in edges[from].Where(e => cycle.Contains(e.Key)))
                {
                    report.Append("  ").Append(from).Append(" -> ").Append(to).Append(": ").AppendJoin(", ", uses.Take(6)).AppendLine();
                }
            }
        }

        Assert.True(cycles.Count == 0, report.ToString());
    }

    [Fact]
    public void Storage_UsesNoFeature()
    {
        var edges = FolderEdges();
        var wrong = edges
            .Where(static e => e.Key == "Storage" || e.Key.StartsWith("Storage.", StringComparison.Ordinal))
            .SelectMany(static e => e.Value.Where(static to => Features.Any(f => to.Key == f || to.Key.StartsWith(f + ".", StringComparison.Ordinal)))
                .Select(to => $"{e.Key} -> {to.Key}: {string.Join(", ", to.Value.Take(6))}"))
            .ToList();

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    /// <summary>The two tests above speak of namespaces; this one makes them speak of folders.</summary>
    [Fact]
    public void EverySourceFile_DeclaresTheNamespaceOfItsFolder()
    {
        var source = RepositoryPaths.EngineSource();
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, Path.GetDirectoryName(file)!);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var expected = relative == "." ? Root : Root + "." + relative.Replace(Path.DirectorySeparatorChar, '.');
            var declared = NamespaceLine().Match(File.ReadAllText(file)).Groups[1].Value;
            if (declared != expected)
            {
                wrong.Add($"{Path.GetRelativePath(source, file)}: namespace {declared}, folder {expected}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    private static bool IsRuntime(string name) =>
        name is "netstandard" or "mscorlib"
        || name.StartsWith("System", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal);

    /// <summary>Folder (namespace below the root, "" for the root) → folder it uses → the "Type → Type" uses that make the edge.</summary>
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> FolderEdges()
    {
        var edges = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var type in Engine.GetTypes().Where(static t => !t.IsNested && Folder(t) is not null))
        {
            var from = Folder(type)!;
            if (!edges.TryGetValue(from, out var targets))
            {
                edges[from] = targets = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            }

            foreach (var used in TypeDependencies.Of(type))
            {
                if (Folder(used) is { } to && to != from)
                {
                    if (!targets.TryGetValue(to, out var uses))
                    {
                        targets[to] = uses = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    uses.Add(type.Name + " -> " + used.Name);
                }
            }
        }

        return edges;
    }

    private static string? Folder(Type type)
    {
        var ns = TypeDependencies.Outermost(type).Namespace;
        return ns == Root ? "(root)" : ns is not null && ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..] : null;
    }

    /// <summary>Tarjan's strongly connected components: a component of more than one folder is a cycle.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, SortedSet<string>>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges.TryGetValue(node, out var targets) ? targets.Keys.ToList() : [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
