namespace OptOutGate.Engine.Recipients;

/// <summary>
/// A nondeterministic automaton over the digits 0-9: each state has at most one digit transition (a set of digits to
/// one target) and any number of empty transitions. Built by <see cref="DigitPattern"/>, determinized by
/// <see cref="NumberingPlanTable"/>; only used at start-up.
/// </summary>
internal sealed class DigitNfa
{
    private readonly List<ushort> _masks = [];
    private readonly List<int> _targets = [];
    private readonly List<List<int>?> _epsilons = [];

    public int Count => _masks.Count;

    public int NewState()
    {
        _masks.Add(0);
        _targets.Add(-1);
        _epsilons.Add(null);
        return _masks.Count - 1;
    }

    public void SetDigits(int state, ushort mask, int target)
    {
        _masks[state] = mask;
        _targets[state] = target;
    }

    public void AddEpsilon(int state, int target) => (_epsilons[state] ??= []).Add(target);

    public ushort MaskOf(int state) => _masks[state];

    public int TargetOf(int state) => _targets[state];

    public List<int>? EpsilonsOf(int state) => _epsilons[state];
}
