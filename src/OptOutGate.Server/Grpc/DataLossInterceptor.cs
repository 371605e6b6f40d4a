using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// A read that meets damaged stored data (a change log record or a snapshot base record that fails its checksum) ends
/// with DATA_LOSS and the damage's location and remedy (common.proto: "unrecoverable data loss or corruption"), not
/// UNKNOWN "Exception was thrown by handler.". The damage was already logged and counted where it was found
/// (ChangeLog.Damaged), and the engine host turns the gate NOT_SERVING when it touches what checks depend on.
/// </summary>
internal sealed class DataLossInterceptor : IRpcCallInterceptor
{
    public ValueTask OnCallStartingAsync(ServerMethodDefinition method, ServerCallContext context) => ValueTask.CompletedTask;

    public bool TryMapException(Exception exception, out Status status)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DataDamagedException damage)
            {
                status = new Status(StatusCode.DataLoss, damage.Message);
                return true;
            }
        }

        status = default;
        return false;
    }
}
