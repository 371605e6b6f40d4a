namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// A bounded, lock-free pool of <see cref="IndexReader"/>s. Sessions are created on demand up to the bound (a session
/// per call is "hugely wasteful", microsoft/FASTER issue 780) and never more, because each reader inside the epoch holds one
/// entry of FASTER's fixed epoch table. Renting and returning are an Interlocked exchange each; no allocation.
/// </summary>
internal sealed class IndexReaderPool : IDisposable
{
    private readonly EntryIndex _index;
    private readonly IndexReader?[] _idle;
    private int _created;

    public IndexReaderPool(EntryIndex index, int capacity)
    {
        _index = index;
        _idle = new IndexReader?[capacity];
    }

    public IndexReader Rent()
    {
        var spin = default(SpinWait);
        while (true)
        {
            var idle = _idle;
            for (var i = 0; i < idle.Length; i++)
            {
                if (idle[i] is not null)
                {
                    var reader = Interlocked.Exchange(ref idle[i], null);
                    if (reader is not null)
                    {
                        return reader;
                    }
                }
            }

            if (Interlocked.Increment(ref _created) <= idle.Length)
            {
                return new IndexReader(_index, this);
            }

            // All readers are out: wait for a return rather than exceed the epoch table.
            Interlocked.Decrement(ref _created);
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    public void Return(IndexReader reader)
    {
        // At most capacity readers exist, so a free slot always exists.
        var idle = _idle;
        for (var i = 0; ; i = (i + 1) % idle.Length)
        {
            if (idle[i] is null && Interlocked.CompareExchange(ref idle[i], reader, null) is null)
            {
                return;
            }
        }
    }

    /// <summary>Disposes the idle readers' sessions. Readers still rented are the caller's bug.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            Interlocked.Exchange(ref _idle[i], null)?.DisposeSession();
        }
    }
}
