using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Services;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>
/// grpc.reflection.v1 and v1alpha: one request loop over <see cref="ReflectionSession"/>, with each version's
/// messages mapped in and out. grpcurl and ghz try v1 first and fall back to v1alpha on UNIMPLEMENTED.
/// </summary>
internal sealed class ReflectionService
{
    private readonly Lazy<ReflectionIndex> _index;
    private readonly ILogger _logger;

    /// <param name="indexFactory">
    /// Deferred because the index needs every registered service, this one included: building it while the
    /// service registry is still being assembled would be circular.
    /// </param>
    public ReflectionService(Func<ReflectionIndex> indexFactory, ILogger<ReflectionService> logger)
    {
        _index = new Lazy<ReflectionIndex>(indexFactory, LazyThreadSafetyMode.ExecutionAndPublication);
        _logger = logger;
    }

    public ReflectionIndex Index => _index.Value;

    public ServiceDefinition CreateV1Definition()
    {
        var service = V1.ReflectionReflection.Descriptor.Services[0];
        return ServiceDefinition.CreateBuilder(service)
            .AddDuplexStreaming<V1.ServerReflectionRequest, V1.ServerReflectionResponse>(
                service.FindMethodByName("ServerReflectionInfo"),
                (requests, responses, context) => RunAsync(requests, responses, context, ReflectionV1Mapper.ToQuery, ReflectionV1Mapper.ToResponse))
            .Build();
    }

    public ServiceDefinition CreateV1AlphaDefinition()
    {
        var service = V1Alpha.ReflectionReflection.Descriptor.Services[0];
        return ServiceDefinition.CreateBuilder(service)
            .AddDuplexStreaming<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>(
                service.FindMethodByName("ServerReflectionInfo"),
                (requests, responses, context) => RunAsync(requests, responses, context, ReflectionV1AlphaMapper.ToQuery, ReflectionV1AlphaMapper.ToResponse))
            .Build();
    }

    private async Task RunAsync<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requests,
        IServerStreamWriter<TResponse> responses,
        ServerCallContext context,
        Func<TRequest, ReflectionQuery> toQuery,
        Func<TRequest, ReflectionAnswer, TResponse> toResponse)
    {
        var session = new ReflectionSession(_index.Value);

        // Answer each request as it arrives: clients send one request and block on its answer (jhump/protoreflect).
        while (await requests.MoveNextAsync(context.CancellationToken))
        {
            var request = requests.Current;
            var query = toQuery(request);
            var answer = session.Answer(query);
            ReflectionLog.Answered(_logger, query.Kind, query.Name, answer.IsError ? answer.ErrorCode : StatusCode.OK);
            await responses.WriteAsync(toResponse(request, answer), context.CancellationToken);
        }
    }
}
