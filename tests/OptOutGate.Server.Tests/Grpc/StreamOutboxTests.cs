using Grpc.Core;
using OptOutGate.Server.Grpc;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>
/// The outbox's inline answers: a burst of requests at hand gets its answers in one flush, the answers leave before the
/// loop waits for the client, and inline and posted answers never overlap on the response stream.
/// </summary>
public sealed class StreamOutboxTests
{
    [Fact]
    public async Task ABurstAtHand_IsAnsweredWithOneFlush_BeforeTheLoopWaitsForMore()
    {
        var requests = new ScriptedRequests();
        requests.Ready(1, 2, 3, 4, 5);
        var waiting = requests.ThenWait();
        var responses = new RecordingResponses();
        var serve = ServeEchoAsync(requests, responses);

        await waiting.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await responses.Reaching(5).WaitAsync(TimeSpan.FromSeconds(30));

        // The loop reached for request 6 and, finding none at hand, wrote its five answers: only the last write flushed.
        Assert.Equal([1, 2, 3, 4, 5], responses.Written);
        Assert.Equal([false, false, false, false, true], responses.Flushed);

        // Request 6 arrives while the loop waits, 7 is then at hand.
        requests.Ready(7);
        var end = requests.ThenWait();
        waiting.Deliver(6);
        await end.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await responses.Reaching(7).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], responses.Written);
        Assert.Equal([false, false, false, false, true, false, true], responses.Flushed);

        end.End();
        await serve.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(7, responses.Written.Count);
    }

    [Fact]
    public async Task ALongBurst_IsFlushedEverySixteenAnswers_AndAtItsEnd()
    {
        var requests = new ScriptedRequests();
        requests.Ready([.. Enumerable.Range(1, 40)]);
        var end = requests.ThenWait();
        var responses = new RecordingResponses();
        var serve = ServeEchoAsync(requests, responses);

        await end.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await responses.Reaching(40).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, 40), responses.Written);
        var flushedAfter = responses.Written.Where((_, i) => responses.Flushed[i]).ToArray();
        Assert.Equal([16, 32, 40], flushedAfter);

        end.End();
        await serve.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TheRequestsEnding_FlushesTheLastAnswer_AndPostedAnswersAreWrittenToo()
    {
        var requests = new ScriptedRequests();
        requests.Ready(1, 2, 3);
        requests.ThenEnd();
        var responses = new RecordingResponses();
        using var outbox = new StreamOutbox<Answer>(responses, 4, CancellationToken.None);

        await outbox.ServeAsync(async token =>
        {
            while (await outbox.MoveNextAsync(requests, token))
            {
                var id = requests.Current;
                if (id == 2)
                {
                    // Answered later, from another task, through the writer.
                    outbox.BeginPending();
                    _ = Task.Run(async () =>
                    {
                        await outbox.PostAsync(new Answer(id));
                        outbox.EndPending();
                    }, token);
                }
                else
                {
                    await outbox.WriteInlineAsync(new Answer(id));
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([1, 2, 3], responses.Written.Order());
        Assert.True(responses.Flushed[responses.Written.IndexOf(3)]);
        Assert.False(responses.Overlapped);
    }

    private static Task ServeEchoAsync(ScriptedRequests requests, RecordingResponses responses)
    {
        var outbox = new StreamOutbox<Answer>(responses, 4, CancellationToken.None);
        return outbox.ServeAsync(async token =>
        {
            while (await outbox.MoveNextAsync(requests, token))
            {
                await outbox.WriteInlineAsync(new Answer(requests.Current));
            }
        });
    }

    private sealed record Answer(int Id);

    /// <summary>Requests that are at hand (MoveNext completes at once) or that the test releases.</summary>
    private sealed class ScriptedRequests : IAsyncStreamReader<int>
    {
        private readonly Queue<Func<Task<bool>>> _steps = new();

        public int Current { get; private set; }

        public void Ready(params int[] ids)
        {
            foreach (var id in ids)
            {
                _steps.Enqueue(() =>
                {
                    Current = id;
                    return Task.FromResult(true);
                });
            }
        }

        public void ThenEnd() => _steps.Enqueue(() => Task.FromResult(false));

        public Gate ThenWait()
        {
            var gate = new Gate(this);
            _steps.Enqueue(() =>
            {
                gate.Reached.TrySetResult();
                return gate.Moved.Task;
            });
            return gate;
        }

        public Task<bool> MoveNext(CancellationToken cancellationToken) => _steps.Dequeue()();

        /// <summary>A MoveNext that waits: <see cref="Reached"/> once the loop called it, then the test delivers or ends.</summary>
        public sealed class Gate(ScriptedRequests requests)
        {
            public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource<bool> Moved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public void Deliver(int id)
            {
                requests.Current = id;
                Moved.SetResult(true);
            }

            public void End() => Moved.SetResult(false);
        }
    }

    /// <summary>Records each answer and whether its write flushed (no BufferHint), and whether two writes ever overlapped.</summary>
    private sealed class RecordingResponses : IServerStreamWriter<Answer>
    {
        private readonly object _gate = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _waits = [];
        private int _writing;

        public List<int> Written { get; } = [];

        public List<bool> Flushed { get; } = [];

        public bool Overlapped { get; private set; }

        public WriteOptions? WriteOptions { get; set; }

        /// <summary>Completes once <paramref name="count"/> answers were written.</summary>
        public Task Reaching(int count)
        {
            lock (_gate)
            {
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Written.Count >= count)
                {
                    reached.SetResult();
                }

                _waits.Add((count, reached));
                return reached.Task;
            }
        }

        public Task WriteAsync(Answer message, CancellationToken cancellationToken) => WriteAsync(message);

        public async Task WriteAsync(Answer message)
        {
            if (Interlocked.Increment(ref _writing) != 1)
            {
                Overlapped = true;
            }

            lock (_gate)
            {
                Written.Add(message.Id);
                Flushed.Add(WriteOptions is null || (WriteOptions.Flags & WriteFlags.BufferHint) == 0);
                foreach (var wait in _waits.Where(w => Written.Count >= w.Count))
                {
                    wait.Reached.TrySetResult();
                }
            }

            await Task.Yield();
            Interlocked.Decrement(ref _writing);
        }
    }
}
