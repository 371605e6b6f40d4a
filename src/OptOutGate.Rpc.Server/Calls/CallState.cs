namespace OptOutGate.Rpc.Server.Calls;

/// <summary>Who owns the end of a call: the handler's completion or the deadline timer, never both.</summary>
internal enum CallState
{
    Running,
    Completing,
    DeadlineExceeded,
}
