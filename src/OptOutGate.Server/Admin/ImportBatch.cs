using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Server.Admin;

/// <summary>
/// One write of an import (the recipients of one target and event time, in line order) and, with a diff, every line
/// it covers in order, invalid lines between them included, waiting for the write's results to become outcomes.
/// </summary>
internal sealed class ImportBatch
{
    public List<string> Recipients { get; } = [];

    /// <summary>With a diff only: the lines in order; a valid line's write result is the next of <see cref="Write"/>'s items.</summary>
    public List<Line> Lines { get; } = [];

    /// <summary>The write of <see cref="Recipients"/>; null when the batch holds invalid lines only.</summary>
    public Task<WriteResult>? Write { get; set; }

    /// <summary>
    /// A line waiting for its batch: <paramref name="Invalid"/> non-empty for an invalid line (no write item), else the
    /// recipient's opt-outs that met the target when the line was read, and the types they blocked there.
    /// </summary>
    internal sealed record Line(ulong Number, string Recipient, Scope Scope, string Sender, string App, string Invalid, List<Entry>? Before, byte BlockedBefore);
}
