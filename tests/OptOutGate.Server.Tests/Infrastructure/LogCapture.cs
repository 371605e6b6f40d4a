using System.Text;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>
/// A logging provider that keeps every message an in-process server logs, so that tests can read and wait for what an
/// operator would read in its log.
/// </summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly OutputLines _lines = new();
    private readonly List<(LogLevel Level, string Line)> _entries = [];

    /// <summary>Every message, one line each: "Level Category: message" (an exception follows its message).</summary>
    public string Text => _lines.Text;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The messages at <paramref name="minimum"/> or above, one per line; empty when none.</summary>
    public string Describe(LogLevel minimum)
    {
        lock (_entries)
        {
            var lines = new StringBuilder();
            foreach (var (level, line) in _entries)
            {
                if (level >= minimum)
                {
                    lines.AppendLine(line);
                }
            }

            return lines.ToString();
        }
    }

    public Task WaitForAsync(string text, TimeSpan timeout) => WaitAsync(_lines.SeenAsync(text), text, timeout);

    public void Dispose()
    {
    }

    private async Task WaitAsync(Task seen, string text, TimeSpan timeout)
    {
        try
        {
            await seen.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds} s for the server to log '{text}'. Output:\n{Text}");
        }
    }

    private void Append(LogLevel level, string line)
    {
        lock (_entries)
        {
            _entries.Add((level, line));
        }

        _lines.Append(line);
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}: {formatter(state, exception)}";
            capture.Append(logLevel, exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}
