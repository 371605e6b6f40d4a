using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using OptOutGate.Contracts.V1;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>Admin (and Gate) calls through the project's client with one API key, by method name.</summary>
public sealed class AdminClient(GrpcChannel channel, string? key)
{
    private static readonly ServiceDescriptor s_admin = AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin");
    private static readonly ServiceDescriptor s_gate = GateReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Gate");

    public Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        channel.UnaryAsync(Method<TRequest, TResponse>.From(s_admin.FindMethodByName(method)), request, Options());

    public Task<CheckBatchResponse> CheckBatchAsync(CheckBatchRequest request) =>
        channel.UnaryAsync(Method<CheckBatchRequest, CheckBatchResponse>.From(s_gate.FindMethodByName("CheckBatch")), request, Options());

    /// <summary>The status a call ends with (OK or its error).</summary>
    public async Task<Status> StatusOfAsync<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        try
        {
            await CallAsync<TRequest, TResponse>(method, request);
            return Status.Ok;
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
        var call = channel.ServerStreamingCall(Method<TRequest, CsvChunk>.From(s_admin.FindMethodByName(method)), request, Options(TimeSpan.FromMinutes(2)));
        using (call)
        {
            var started = Stopwatch.StartNew();
            var data = new MemoryStream();
            var sizes = new List<int>();
            var arrivals = new List<long>();
            var sequences = new HashSet<ulong>();
            while (await call.ResponseStream.MoveNextAsync())
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
