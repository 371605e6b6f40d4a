using Grpc.Core;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Gate;

/// <summary>
/// One CheckStreamResponse as <see cref="CheckStreamCodec"/> writes it: the request's id and either its verdicts (a
/// pooled <see cref="CheckBatchOutput"/>, written packed) or an <see cref="ItemError"/>. The marshaller disposes it
/// once written.
/// </summary>
internal sealed class CheckStreamOutput : IDisposable
{
    private CheckStreamOutput(ulong requestId, CheckBatchOutput? batch, ItemError? error)
    {
        RequestId = requestId;
        Batch = batch;
        Error = error;
    }

    public ulong RequestId { get; }

    public CheckBatchOutput? Batch { get; }

    public ItemError? Error { get; }

    public static CheckStreamOutput Answer(ulong requestId, CheckBatchOutput batch) => new(requestId, batch, null);

    public static CheckStreamOutput Failure(ulong requestId, StatusCode code, string message) =>
        new(requestId, null, new ItemError { Code = (int)code, Message = message });

    public void Dispose() => Batch?.Dispose();
}
