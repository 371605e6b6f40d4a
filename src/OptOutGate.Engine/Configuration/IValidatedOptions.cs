namespace OptOutGate.Engine.Configuration;

/// <summary>
/// An options class of the engine (<see cref="GateEngineOptions"/>, <see cref="Mo.MoOptions"/>, and those they hold or the
/// engine builds from them: the change log's, the index's, the write pipeline's). Each is checked the same way: every
/// setting's default is documented on its property, and <see cref="AddProblems"/> names every setting out of its range
/// by the configuration key it is bound from, so a start with bad settings ends with one list of all of them
/// (<see cref="EngineOptionsValidator{TOptions}"/> for the host, <see cref="ValidatedOptions.Validate"/> for the engine
/// itself when it opens).
/// </summary>
internal interface IValidatedOptions
{
    /// <summary>
    /// Adds one line to <paramref name="problems"/> per setting out of its range, naming the setting by
    /// <paramref name="keyOf"/>(property name), for example "Engine:Log:PageSizeBits must be 12..28 (was 8).". Folders
    /// the host or the engine sets (the data folder, the log's directory) are not settings and are not checked here.
    /// </summary>
    void AddProblems(Func<string, string> keyOf, List<string> problems);
}
