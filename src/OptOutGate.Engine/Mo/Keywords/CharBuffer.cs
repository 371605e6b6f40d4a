using System.Buffers;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>
/// A char buffer that starts on the caller's stack and moves to <see cref="ArrayPool{T}"/> only when a text does not
/// fit, so that normalizing a typical MO text allocates nothing. Pass it by <c>ref</c> and call <see cref="Dispose"/>
/// in a <c>finally</c> (a <c>using</c> variable cannot be passed by <c>ref</c>).
/// </summary>
internal ref struct CharBuffer
{
    private Span<char> _span;
    private char[]? _rented;

    public CharBuffer(Span<char> initial)
    {
        _span = initial;
        _rented = null;
    }

    public readonly Span<char> Span => _span;

    /// <summary>Makes the buffer at least <paramref name="length"/> chars long. Its contents are not kept.</summary>
    public void Reserve(int length)
    {
        if (length <= _span.Length)
        {
            return;
        }

        var larger = ArrayPool<char>.Shared.Rent(length);
        Dispose();
        _rented = larger;
        _span = larger;
    }

    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            _span = default;
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
