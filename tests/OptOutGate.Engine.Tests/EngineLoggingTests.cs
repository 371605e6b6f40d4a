using System.Reflection;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Tests;

/// <summary>
/// Every log message of the engine (its <c>[LoggerMessage]</c> methods, found by reflection on the compiled assembly)
/// has an id of its own, in the range of its folder (<see cref="EventIds"/>), and a name.
/// </summary>
public sealed class EngineLoggingTests
{
    private const string Root = "OptOutGate.Engine";

    /// <summary>Folder (namespace below the engine's root) → the first id of its range.</summary>
    private static readonly Dictionary<string, int> Ranges = new(StringComparer.Ordinal)
    {
        [Root] = EventIds.Engine,
        [Root + ".Storage.Log"] = EventIds.ChangeLog,
        [Root + ".Storage.Index"] = EventIds.Index,
        [Root + ".Storage.State"] = EventIds.State,
        [Root + ".Storage.Checkpoints"] = EventIds.Checkpoints,
        [Root + ".Writes"] = EventIds.Writes,
        [Root + ".Mo"] = EventIds.Mo,
    };

    private static readonly List<(MethodInfo Method, LoggerMessageAttribute Message)> Messages = typeof(GateEngine).Assembly
        .GetTypes()
        .SelectMany(static t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        .Select(static m => (Method: m, Message: m.GetCustomAttribute<LoggerMessageAttribute>()!))
        .Where(static m => m.Message is not null)
        .ToList();

    [Fact]
    public void TheEngineLogs()
    {
        // The checks below mean nothing if reflection found no message.
        Assert.True(Messages.Count >= 40, $"only {Messages.Count} [LoggerMessage] methods found");
    }

    [Fact]
    public void EveryMessage_HasAnIdOfItsOwn()
    {
        var shared = Messages.GroupBy(static m => m.Message.EventId).Where(static g => g.Count() > 1)
            .Select(static g => $"{g.Key}: {string.Join(", ", g.Select(static m => Name(m.Method)))}")
            .ToList();

        Assert.True(shared.Count == 0, "Event ids used more than once: " + string.Join("; ", shared));
    }

    [Fact]
    public void EveryMessage_HasAUniqueEventName()
    {
        var unnamed = Messages.Where(static m => string.IsNullOrWhiteSpace(m.Message.EventName)).Select(static m => Name(m.Method)).ToList();
        var shared = Messages.Where(static m => !string.IsNullOrWhiteSpace(m.Message.EventName))
            .GroupBy(static m => m.Message.EventName, StringComparer.Ordinal).Where(static g => g.Count() > 1).Select(static g => g.Key).ToList();

        Assert.True(unnamed.Count == 0, "Messages without an EventName: " + string.Join(", ", unnamed));
        Assert.True(shared.Count == 0, "EventNames used more than once: " + string.Join(", ", shared));
    }

    [Fact]
    public void EveryMessage_HasAnIdInItsFoldersRange()
    {
        var wrong = new List<string>();
        foreach (var (method, message) in Messages)
        {
            var folder = method.DeclaringType!.Namespace!;
            if (!Ranges.TryGetValue(folder, out var first))
            {
                wrong.Add($"{Name(method)}: folder {folder} has no range in EventIds");
            }
            else if (message.EventId < first || message.EventId >= first + 100)
            {
                wrong.Add($"{Name(method)}: id {message.EventId} outside {first}-{first + 99}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    private static string Name(MethodInfo method) => method.DeclaringType!.Name + "." + method.Name;
}
