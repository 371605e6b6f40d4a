using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Import;

/// <summary>
/// An uploaded list as the import's lines: one number a line, or CSV with the columns recipient, sender, app and
/// event_time (a header row names them in any order: "recipient", "number" or "phone"; "sender"; "app"; "event_time"
/// or "time"). Each line keeps its line number in the file, so the diff names the file's lines. The server validates
/// every value; this only splits the text.
/// </summary>
internal static class ImportFile
{
    /// <summary>Lines held for one upload at most (the file lives in memory between the dry run and the import).</summary>
    public const int MaxLines = 1_000_000;

    public static List<ImportLine> Parse(TextReader reader, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(reader);
        problem = null;
        var lines = new List<ImportLine>();
        int[] columns = [0, -1, -1, -1];
        ulong number = 0;
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var fields = Split(text);
            if (number == 1 && IsHeader(fields[0]))
            {
                columns = Header(fields);
                continue;
            }

            if (lines.Count == MaxLines)
            {
                problem = $"The file has more than {MaxLines:N0} lines; split it, or use Admin.ImportOptOuts, which streams any size.";
                return lines;
            }

            var line = new ImportLine { LineNumber = number, Recipient = Field(fields, columns[0]), Sender = Field(fields, columns[1]), App = Field(fields, columns[2]) };
            var time = Field(fields, columns[3]);
            if (time.Length > 0 && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            {
                line.EventTime = Timestamp.FromDateTimeOffset(when);
            }

            lines.Add(line);
        }

        return lines;
    }

    private static bool IsHeader(string first) => first.Length > 0 && !char.IsAsciiDigit(first[0]) && first[0] != '+';

    private static int[] Header(string[] fields)
    {
        int[] columns = [-1, -1, -1, -1];
        for (var i = 0; i < fields.Length; i++)
        {
            switch (fields[i].ToLowerInvariant())
            {
                case "recipient" or "number" or "phone" or "phone_number":
                    columns[0] = i;
                    break;
                case "sender":
                    columns[1] = i;
                    break;
                case "app":
                    columns[2] = i;
                    break;
                case "event_time" or "time" or "opted_out_at":
                    columns[3] = i;
                    break;
            }
        }

        if (columns[0] < 0)
        {
            columns[0] = 0;
        }

        return columns;
    }

    private static string Field(string[] fields, int index) => index >= 0 && index < fields.Length ? fields[index] : "";

    /// <summary>Comma-separated fields; a field in double quotes may hold commas and doubled quotes (RFC 4180, one physical line).</summary>
    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString().Trim());
        return [.. fields];
    }
}
