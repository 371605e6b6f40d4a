using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Configuration;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine.Tests.Configuration;

/// <summary>
/// Every options class of the engine is checked the same way: documented defaults that pass, one line per bad setting
/// named by the key it is bound from (the host's start-up list, <see cref="EngineOptionsValidator{TOptions}"/>), and the
/// same check when the engine opens.
/// </summary>
public sealed class EngineOptionsTests
{
    private static readonly List<Type> OptionsTypes = typeof(GateEngine).Assembly.GetTypes()
        .Where(static t => t.IsClass && !t.IsAbstract && typeof(IValidatedOptions).IsAssignableFrom(t))
        .OrderBy(static t => t.Name, StringComparer.Ordinal)
        .ToList();

    [Fact]
    public void EveryOptionsClassOfTheEngine_IsValidated()
    {
        Assert.Equal(
            [nameof(ChangeLogOptions), nameof(EntryIndexOptions), nameof(GateEngineOptions), nameof(MoOptions), nameof(WritePipelineOptions)],
            OptionsTypes.Select(static t => t.Name));
        var unvalidated = typeof(GateEngine).Assembly.GetTypes()
            .Where(static t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Options", StringComparison.Ordinal) && !typeof(IValidatedOptions).IsAssignableFrom(t))
            .Select(static t => t.FullName)
            .ToList();
        Assert.True(unvalidated.Count == 0, "Options classes without IValidatedOptions: " + string.Join(", ", unvalidated));
    }

    [Fact]
    public void Defaults_AreValid()
    {
        foreach (var type in OptionsTypes)
        {
            var options = Defaults(type);
            var problems = new List<string>();
            options.AddProblems(static p => p, problems);
            Assert.True(problems.Count == 0, type.Name + ": " + string.Join(" ", problems));
        }
    }

    /// <summary>Each setting says its default (or that it is required, or is a section of its own) where it is declared.</summary>
    [Fact]
    public void EverySetting_DocumentsItsDefault()
    {
        var undocumented = new List<string>();
        foreach (var type in OptionsTypes)
        {
            var file = Directory.EnumerateFiles(RepositoryPaths.EngineSource(), type.Name + ".cs", SearchOption.AllDirectories).Single();
            var source = File.ReadAllText(file);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(static p => p.CanWrite))
            {
                if (typeof(IValidatedOptions).IsAssignableFrom(property.PropertyType))
                {
                    continue;
                }

                var doc = DocOf(source, property.Name);
                if (!doc.Contains("default", StringComparison.OrdinalIgnoreCase) && !doc.Contains("required", StringComparison.OrdinalIgnoreCase))
                {
                    undocumented.Add($"{type.Name}.{property.Name}: \"{doc.Trim()}\"");
                }
            }
        }

        Assert.True(undocumented.Count == 0, "Settings whose doc comment gives no default: " + string.Join("; ", undocumented));
    }

    [Fact]
    public void BadEngineSettings_AreEachNamedByTheirConfigurationKey()
    {
        var options = new GateEngineOptions
        {
            CheckpointEveryRecords = -5,
            CheckpointInterval = TimeSpan.FromSeconds(-1),
            ExpectedEntries = 0,
            IndexPageSizeBits = 8,
            Log = new ChangeLogOptions { PageSizeBits = 8 },
            Writes = new WritePipelineOptions { QueueCapacity = 0, MaxBatchRecords = 0 },
        };

        var result = new EngineOptionsValidator<GateEngineOptions>(GateEngineOptions.SectionName).Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains("Engine:CheckpointEveryRecords must not be negative (was -5); 0 checkpoints by time only.", failures);
        Assert.Contains(failures, static f => f.StartsWith("Engine:CheckpointInterval must not be negative", StringComparison.Ordinal));
        Assert.Contains("Engine:ExpectedEntries must be at least 1 (was 0).", failures);
        Assert.Contains("Engine:IndexPageSizeBits must be between 12 and 30 (was 8).", failures);
        Assert.Contains("Engine:Log:PageSizeBits must be 12..28 (was 8).", failures);
        Assert.Contains("Engine:Writes:QueueCapacity must be at least 1 (was 0).", failures);
        Assert.Contains("Engine:Writes:MaxBatchRecords must be at least 1 (was 0).", failures);

        // Every key a problem names is a setting that binding reaches from the section.
        foreach (var failure in failures)
        {
            var key = failure[..failure.IndexOf(' ', StringComparison.Ordinal)];
            Assert.True(Resolves(typeof(GateEngineOptions), key.Split(':')[1..]), $"'{key}' names no setting of GateEngineOptions");
        }
    }

    [Fact]
    public void BadMoSettings_AreNamedUnderTheMoSection()
    {
        var result = new EngineOptionsValidator<MoOptions>(MoOptions.SectionName)
            .Validate(null, new MoOptions { DuplicateWindow = TimeSpan.Zero, StreamConcurrency = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Mo:DuplicateWindow must be positive (was 00:00:00).", result.Failures!);
        Assert.Contains("Mo:StreamConcurrency must be 1..65536 (was 0).", result.Failures!);
        Assert.False(new EngineOptionsValidator<MoOptions>(MoOptions.SectionName).Validate(null, new MoOptions()).Failed);
    }

    [Fact]
    public async Task OpeningTheEngine_ChecksTheSameRules()
    {
        using var dir = new EngineTestDirectory();
        var options = dir.Options();
        options.CheckpointEveryRecords = -1;
        options.Log.MaxEntryBytes = 10;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => GateEngine.OpenAsync(options, NullLoggerFactory.Instance, dir.Time, CancellationToken.None));

        Assert.Contains("GateEngineOptions.CheckpointEveryRecords must not be negative", error.Message, StringComparison.Ordinal);
        Assert.Contains("GateEngineOptions.Log:MaxEntryBytes must be 256..half a page (was 10)", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task OpeningTheEngine_WithoutADataFolder_Fails()
    {
        var options = new GateEngineOptions();

        await Assert.ThrowsAsync<ArgumentException>(() => GateEngine.OpenAsync(options, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None));
    }

    private static IValidatedOptions Defaults(Type type) =>
        type == typeof(EntryIndexOptions) ? new EntryIndexOptions { Directory = "index" } : (IValidatedOptions)Activator.CreateInstance(type)!;

    /// <summary>Whether <paramref name="path"/> (configuration key parts below the section) reaches a settable property, as binding would.</summary>
    private static bool Resolves(Type type, string[] path)
    {
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is not null && (path.Length == 1 ? property.CanWrite : Resolves(property.PropertyType, path[1..]));
    }

    /// <summary>The /// lines right above the declaration of <paramref name="property"/>.</summary>
    private static string DocOf(string source, string property)
    {
        var declaration = Regex.Match(source, @"^\s*public [^(=;]*\b" + property + @" \{", RegexOptions.Multiline);
        Assert.True(declaration.Success, "no declaration of " + property);
        var lines = source[..declaration.Index].Split('\n').Reverse().Skip(1).TakeWhile(static l => l.TrimStart().StartsWith("///", StringComparison.Ordinal));
        return string.Join(" ", lines.Reverse());
    }
}
