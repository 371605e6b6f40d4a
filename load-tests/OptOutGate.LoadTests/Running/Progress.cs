using System.Diagnostics;
using System.Globalization;
using OptOutGate.LoadTests.Reporting;

namespace OptOutGate.LoadTests.Running;

/// <summary>
/// A one-line progress display on stderr (stdout carries only the summaries): rewritten in place every second on a
/// terminal, a plain line every 5 s when stderr is redirected.
/// </summary>
internal sealed class Progress : IDisposable
{
    private readonly RunSettings _settings;
    private readonly LatencyRecorder[] _recorders;
    private readonly long _start;
    private readonly long _measureFrom;
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly Timer _timer;
    private long _lastCalls;
    private long _lastAt;
    private int _finished;

    public Progress(RunSettings settings, LatencyRecorder[] recorders, long start, long measureFrom)
    {
        _settings = settings;
        _recorders = recorders;
        _start = start;
        _measureFrom = measureFrom;
        _lastAt = start;
        var period = _interactive ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);
        _timer = new Timer(_ => Print(final: false), null, period, period);
    }

    public void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _timer.Dispose();
            Print(final: true);
        }
    }

    public void Dispose() => Finish();

    private void Print(bool final)
    {
        var now = Stopwatch.GetTimestamp();
        long calls = 0;
        long failures = 0;
        foreach (var r in _recorders)
        {
            calls += r.Calls;
            failures += r.Failures;
        }

        var seconds = Stopwatch.GetElapsedTime(_lastAt, now).TotalSeconds;
        var rate = seconds > 0 ? (calls - _lastCalls) / seconds : 0;
        _lastCalls = calls;
        _lastAt = now;

        string phase;
        if (now < _measureFrom)
        {
            phase = $"warm-up {Stopwatch.GetElapsedTime(_start, now).TotalSeconds:0}/{_settings.Warmup.TotalSeconds:0} s";
        }
        else if (_settings.Total > 0)
        {
            phase = $"{calls}/{_settings.Total} calls";
        }
        else
        {
            var elapsed = Math.Min(Stopwatch.GetElapsedTime(_measureFrom, now).TotalSeconds, _settings.Duration.TotalSeconds);
            var filled = (int)(20 * elapsed / Math.Max(_settings.Duration.TotalSeconds, 0.001));
            phase = $"[{new string('#', filled)}{new string('.', 20 - filled)}] {elapsed:0}/{_settings.Duration.TotalSeconds:0} s";
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"{_settings.Label}: {phase}  calls {calls}  {rate:0}/s  errors {failures}");
        if (_interactive)
        {
            Console.Error.Write("\r" + line.PadRight(100));
            if (final)
            {
                Console.Error.WriteLine();
            }
        }
        else if (!final)
        {
            Console.Error.WriteLine(line);
        }
    }
}
