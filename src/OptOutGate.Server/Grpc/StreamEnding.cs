namespace OptOutGate.Server.Grpc;

/// <summary>Something that ends a pipelined stream early (<see cref="StreamOutbox{TResponse}"/>), and the UNAVAILABLE message it ends with.</summary>
internal readonly record struct StreamEnding(CancellationToken Token, string Message);
