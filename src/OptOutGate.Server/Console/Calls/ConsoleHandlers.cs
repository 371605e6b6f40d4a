using Grpc.Core;
using OptOutGate.Server.Admin;
using AdminContract = OptOutGate.Contracts.V1.Admin;

namespace OptOutGate.Server.WebConsole.Calls;

/// <summary>
/// The Admin service's handlers by method, taken once from the generated <c>BindService</c>: the very methods a gRPC or
/// JSON call of the same name runs, so the console has no rules, messages or statuses of its own.
/// </summary>
internal sealed class ConsoleHandlers : ServiceBinderBase
{
    private readonly Dictionary<string, Delegate> _handlers = new(StringComparer.Ordinal);

    public ConsoleHandlers(AdminService admin) => AdminContract.BindService(this, admin);

    public UnaryServerMethod<TRequest, TResponse> Unary<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class => Find<UnaryServerMethod<TRequest, TResponse>>(method.FullName);

    public ServerStreamingServerMethod<TRequest, TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class => Find<ServerStreamingServerMethod<TRequest, TResponse>>(method.FullName);

    public DuplexStreamingServerMethod<TRequest, TResponse> Duplex<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class => Find<DuplexStreamingServerMethod<TRequest, TResponse>>(method.FullName);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        _handlers[method.FullName] = handler!;

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        _handlers[method.FullName] = handler!;

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        _handlers[method.FullName] = handler!;

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        _handlers[method.FullName] = handler!;

    private T Find<T>(string fullName)
        where T : Delegate =>
        _handlers.TryGetValue(fullName, out var handler) && handler is T typed
            ? typed
            : throw new InvalidOperationException($"{fullName} is not an Admin method of that kind.");
}
