namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// A first-in first-out queue of unmanaged items whose array comes from <see cref="HugePageArray"/> (the expiry order of
/// confirmation windows: 10 million items after a 10-million-entry import). Not thread-safe: one owner.
/// </summary>
internal sealed class RingQueue<T>
    where T : unmanaged
{
    private const int MinCapacity = 16;

    private T[] _items;
    private int _head;
    private int _count;

    public RingQueue(int capacity = 0) => _items = HugePageArray.AllocateZeroed<T>(Math.Max(MinCapacity, capacity));

    public int Count => _count;

    public void Enqueue(in T item)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        var tail = _head + _count;
        if (tail >= _items.Length)
        {
            tail -= _items.Length;
        }

        _items[tail] = item;
        _count++;
    }

    public bool TryPeek(out T item)
    {
        if (_count == 0)
        {
            item = default;
            return false;
        }

        item = _items[_head];
        return true;
    }

    public T Dequeue()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("The queue is empty.");
        }

        var item = _items[_head];
        _head = _head + 1 == _items.Length ? 0 : _head + 1;
        _count--;
        if (_count == 0)
        {
            _head = 0;
        }

        return item;
    }

    /// <summary>The items from first to last. The queue must not change while this runs.</summary>
    public IEnumerable<T> Items()
    {
        for (var i = 0; i < _count; i++)
        {
            var at = _head + i;
            yield return _items[at >= _items.Length ? at - _items.Length : at];
        }
    }

    /// <summary>Reorders the items (a restore of items saved in another order).</summary>
    public void Sort(Comparison<T> comparison)
    {
        if (_head + _count > _items.Length)
        {
            Resize(_items.Length);
        }

        _items.AsSpan(_head, _count).Sort(comparison);
    }

    private void Grow() => Resize(_items.Length * 2);

    private void Resize(int capacity)
    {
        var items = HugePageArray.AllocateZeroed<T>(capacity);
        var first = Math.Min(_count, _items.Length - _head);
        Array.Copy(_items, _head, items, 0, first);
        Array.Copy(_items, 0, items, first, _count - first);
        _items = items;
        _head = 0;
    }
}
