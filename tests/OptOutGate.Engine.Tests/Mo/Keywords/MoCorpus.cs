using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace OptOutGate.Engine.Tests.Mo.Keywords;

/// <summary>One row of mo-corpus.tsv (see the file's header for the columns and escapes).</summary>
public sealed record MoCorpusRow(
    int Line, string Text, string Action, int Rule, string Keyword, string Language, string Scope, string Set);

/// <summary>Loads mo-corpus.tsv, which sits beside this file.</summary>
internal static class MoCorpus
{
    public static IReadOnlyList<MoCorpusRow> Rows { get; } = Load();

    public static string Unescape(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 == text.Length)
            {
                builder.Append(c);
                continue;
            }

            var next = text[++i];
            switch (next)
            {
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 's': builder.Append(' '); break;
                case '\\': builder.Append('\\'); break;
                case 'u':
                    builder.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: throw new FormatException($"Unknown escape \\{next} in corpus text '{text}'.");
            }
        }

        return builder.ToString();
    }

    private static List<MoCorpusRow> Load()
    {
        var rows = new List<MoCorpusRow>();
        var lines = File.ReadAllLines(CorpusPath(), Encoding.UTF8);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var columns = line.Split('\t');
            if (columns.Length != 7)
            {
                throw new FormatException($"mo-corpus.tsv line {i + 1}: {columns.Length} columns, expected 7: '{line}'.");
            }

            rows.Add(new MoCorpusRow(
                i + 1,
                columns[0],
                columns[1],
                int.Parse(columns[2], CultureInfo.InvariantCulture),
                Dash(columns[3]),
                Dash(columns[4]),
                Dash(columns[5]),
                columns[6]));
        }

        return rows;
    }

    private static string Dash(string column) => column == "-" ? string.Empty : column;

    private static string CorpusPath([CallerFilePath] string sourceFile = "")
    {
        var besideSource = Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", "mo-corpus.tsv");
        if (File.Exists(besideSource))
        {
            return besideSource;
        }

        // The source tree moved after the build: look for the file from the output directory upwards.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "OptOutGate.Engine.Tests", "Mo", "Keywords", "mo-corpus.tsv");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("mo-corpus.tsv not found beside " + sourceFile);
    }
}
