using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>Admin (and Gate) calls through Grpc.Net.Client with one API key; Admin methods by name, so that a test reads like the table of RPCs it sweeps.</summary>
public sealed class AdminClient(GrpcChannel channel, string? key)
{
    private static readonly ServiceDescriptor s_admin = AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin");

    public Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        channel.CreateCallInvoker().AsyncUnaryCall(Calls.MethodOf<TRequest, TResponse>(s_admin.FindMethodByName(method)), null, Options(), request).ResponseAsync;

    public Task<CheckBatchResponse> CheckBatchAsync(CheckBatchRequest request) =>
        new GateRpcClient(channel).CheckBatchAsync(request, Options()).ResponseAsync;

    /// <summary>The status a call ends with (OK or its error).</summary>
    public async Task<Status> StatusOfAsync<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        try
        {
            await CallAsync<TRequest, TResponse>(method, request);
            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    /// <summary>Reads a CSV export whole: the document, the chunks' sizes, and when each chunk arrived (ms from the call's start).</summary>
    public async Task<CsvExport> ExportAsync<TRequest>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
    {
        var call = channel.CreateCallInvoker().AsyncServerStreamingCall(Calls.MethodOf<TRequest, CsvChunk>(s_admin.FindMethodByName(method)), null, Options(TimeSpan.FromMinutes(2)), request);
        using (call)
        {
            var started = Stopwatch.StartNew();
            var data = new MemoryStream();
            var sizes = new List<int>();
            var arrivals = new List<long>();
            var sequences = new HashSet<ulong>();
            while (await call.ResponseStream.MoveNext())
            {
                var chunk = call.ResponseStream.Current;
                chunk.Data.WriteTo(data);
                sizes.Add(chunk.Data.Length);
                arrivals.Add(started.ElapsedMilliseconds);
                sequences.Add(chunk.Sequence);
            }

            return new CsvExport(System.Text.Encoding.UTF8.GetString(data.ToArray()), sizes, arrivals, sequences, started.ElapsedMilliseconds);
        }
    }

    private CallOptions Options(TimeSpan? timeout = null)
    {
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("authorization", "Bearer " + key);
        }

        return new CallOptions(headers, DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30)));
    }
}

public sealed record CsvExport(string Text, List<int> ChunkSizes, List<long> ArrivalsMs, HashSet<ulong> Sequences, long TotalMs)
{
    public string[] Lines => Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
}
