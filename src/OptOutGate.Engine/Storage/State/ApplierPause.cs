namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// A held pause of <see cref="GateStateApplier"/> (see <see cref="GateStateApplier.PauseAsync"/>): the state reflects
/// exactly the records up to <see cref="Sequence"/> until this is disposed.
/// </summary>
internal sealed class ApplierPause : IDisposable
{
    private readonly PauseRequest _request;

    public ApplierPause(PauseRequest request, ulong sequence)
    {
        _request = request;
        Sequence = sequence;
    }

    /// <summary>The applied sequence the paused state reflects.</summary>
    public ulong Sequence { get; }

    public void Dispose() => _request.Resume();
}
