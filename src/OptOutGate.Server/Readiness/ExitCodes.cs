namespace OptOutGate.Server.Readiness;

/// <summary>
/// The process's exit codes (README, "Exit codes"), so that a supervisor (systemd, Kubernetes) tells a clean stop from
/// a failure: only a stop asked for by a signal exits 0.
/// </summary>
public static class ExitCodes
{
    /// <summary>Stopped by SIGTERM or SIGINT after draining.</summary>
    public const int Stopped = 0;

    /// <summary>Bad configuration: every bad setting was printed; nothing was started.</summary>
    public const int Configuration = 1;

    /// <summary>
    /// A fatal failure: the engine could not open (other than damaged data, which keeps the process up and
    /// NOT_SERVING), the change log or the applier failed while running, or a listener could not start.
    /// </summary>
    public const int Fatal = 2;
}
