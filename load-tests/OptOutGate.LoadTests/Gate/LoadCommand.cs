using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// `load`: loads the opt-out dataset (<see cref="DatasetLoader"/>, --dataset, --load-via, --load-parallelism) and exits,
/// printing the last sequence written on stdout. For scripts that load a gate once and then measure something other than
/// checks (scripts/measure-restart.sh).
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var space = new RecipientSpace(options.Seed);
        using var gate = GateClients.Primary(options);
        if (!await CheckScenario.PrepareAsync(gate, options, space, cancellationToken))
        {
            return 1;
        }

        return 0;
    }
}
