using System.Text;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>
/// What a server printed or logged, line by line, and waiters for a line that contains a text: the log of an
/// in-process gate (<see cref="LogCapture"/>) and the output of a child process (<see cref="GateProcess"/>).
/// </summary>
internal sealed class OutputLines
{
    private readonly StringBuilder _text = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public void Append(string line)
    {
        lock (_text)
        {
            _text.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Text, StringComparison.Ordinal))
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes once a line containing <paramref name="text"/> has been appended (at once if one has).</summary>
    public Task SeenAsync(string text)
    {
        lock (_text)
        {
            if (_text.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            return seen.Task;
        }
    }
}
