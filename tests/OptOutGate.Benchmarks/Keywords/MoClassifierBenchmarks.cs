using BenchmarkDotNet.Attributes;
using OptOutGate.Engine.Mo.Keywords;

namespace OptOutGate.Benchmarks.Keywords;

/// <summary>
/// MO classification (normalization plus the seven rules) of typical texts against the default keyword set: the
/// per-message CPU and allocation cost of RecordMo before its durable write. Target: microseconds, no allocation
/// beyond the normalized text (none when the text or its keyword already is that text). In-process, so no second
/// build of the repository (which other work may be changing) is needed.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class MoClassifierBenchmarks
{
    private KeywordSet _set = KeywordSet.Default;

    public static IEnumerable<string> Texts =>
    [
        "STOP",
        "Stop.",
        "STOP please",
        "stop all",
        "ok please stop now",
        "START",
        "when does the sale END?",
        "arrêt",
        "退订",
        "Thanks! 😊 See you on Saturday at the store, and can you tell me if the blue one is still available?",
        "Hi, I'd like to reschedule my appointment from Tuesday to Thursday afternoon if that's possible. Merci beaucoup, à bientôt !",
    ];

    [ParamsSource(nameof(Texts))]
    public string Text { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _set = KeywordSet.Default;

    [Benchmark]
    public Classification Classify() => MoClassifier.Classify(Text, _set);

    [Benchmark]
    public string Normalize() => MoTextNormalizer.Normalize(Text);
}
