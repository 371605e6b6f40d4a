namespace OptOutGate.Server;

/// <summary>
/// Where the server's log event ids come from: a range per folder, so that an id alone names the part of the gate that
/// logged it (the engine's own ids are 1000 and above). Every [LoggerMessage] takes its id from its folder's range and
/// sets an EventName.
/// </summary>
internal static class EventIds
{
    public const int Hosting = 100;
    public const int Readiness = 200;
    public const int Tenancy = 300;
    public const int Grpc = 400;
    public const int Gate = 500;
    public const int Mo = 600;
    public const int Admin = 700;
    public const int Changes = 800;

    /// <summary>The JSON/REST face (JsonApi/).</summary>
    public const int JsonApi = 850;

    /// <summary>The web console (Console/).</summary>
    public const int Console = 870;

    /// <summary>Replication: the publisher and Redis fan-out from 900; the replica follower 950-999.</summary>
    public const int Replication = 900;

    /// <summary>Diagnostics (Diagnostics/): the call timeline.</summary>
    public const int Diagnostics = 2000;

    /// <summary>Webhooks: subscriptions, delivery workers.</summary>
    public const int Webhooks = 2100;
}
