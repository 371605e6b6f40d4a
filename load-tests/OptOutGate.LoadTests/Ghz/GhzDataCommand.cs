using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Mo;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Ghz;

/// <summary>
/// `ghz-data`: writes the data files the configs in load-tests/ghz/ read (ghz -D), from the same seeded recipient space
/// as the generator, so a dataset loaded with `check` (or `check -n 1`) makes ghz's batches hit it at --opted-out-share:
/// <list type="bullet">
/// <item>check-batch.json: one CheckBatchRequest of --batch-size recipients (ghz sends it on every call);</item>
/// <item>check-stream.json: --stream-batches CheckStreamRequests with ids 1..N (ghz sends the array on each stream);</item>
/// <item>mo.json: --mo-messages StreamMoRequests; carrier ids and times are ghz templates (<c>{{.UUID}}</c>,
/// <c>{{.Timestamp}}</c>), filled per message with --stream-dynamic-messages, so that reruns are not DUPLICATEs.</item>
/// </list>
/// JSON uses protobuf's JSON mapping (lowerCamelCase names, enum names, 64-bit integers as strings), which ghz reads.
/// </summary>
internal static class GhzDataCommand
{
    public static int Run(LoadTestOptions options)
    {
        Directory.CreateDirectory(options.Out);
        var space = new RecipientSpace(options.Seed);
        var pool = BatchPool.Create(options, space);
        var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

        var batchPath = Path.Combine(options.Out, "check-batch.json");
        File.WriteAllText(batchPath, formatter.Format(pool.Requests[0]) + "\n");

        var streamPath = Path.Combine(options.Out, "check-stream.json");
        using (var writer = new StreamWriter(streamPath))
        {
            writer.Write('[');
            for (var i = 0; i < options.StreamBatches; i++)
            {
                var request = new CheckStreamRequest { RequestId = (ulong)(i + 1), Batch = pool[i] };
                writer.Write(i == 0 ? "\n  " : ",\n  ");
                writer.Write(formatter.Format(request));
            }

            writer.Write("\n]\n");
        }

        var moPath = Path.Combine(options.Out, "mo.json");
        WriteMo(moPath, options, space);

        Console.Out.WriteLine($"{batchPath}: CheckBatchRequest, {pool.BatchSize} recipients, {pool.ExpectedBlocked} opted out (dataset {options.Dataset:N0}, seed {options.Seed}, sender {options.Sender})");
        Console.Out.WriteLine($"{streamPath}: {options.StreamBatches} CheckStreamRequests of the same shape");
        Console.Out.WriteLine($"{moPath}: {options.MoMessages} StreamMoRequests to inbound address {MoScenario.MoSender(options)}");
        return 0;
    }

    private static void WriteMo(string path, LoadTestOptions options, RecipientSpace space)
    {
        var random = new Random(unchecked((int)options.Seed));
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartArray();
        for (var i = 0; i < options.MoMessages; i++)
        {
            var (_, text) = MoTexts.Pick(random);
            json.WriteStartObject();
            json.WriteStartObject("message");
            json.WriteString("inboundAddress", MoScenario.MoSender(options));
            json.WriteString("fromNumber", space.MoSender(random));
            json.WriteString("text", text);
            json.WriteString("carrierMessageId", "ghz-{{.UUID}}-" + i.ToString(CultureInfo.InvariantCulture));
            json.WriteString("carrierTime", "{{.Timestamp}}");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
