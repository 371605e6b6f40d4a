using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// Gate and Admin calls through Grpc.Net.Client, as one API key (or none, on the keyless loopback default),
/// by method name; plus the history as (sequence, recipient) rows read from ExportHistory.
/// </summary>
public sealed class GateApi(GrpcChannel channel, string? key = null)
{
    public static readonly ServiceDescriptor AdminService = AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin");
    public static readonly ServiceDescriptor GateService = GateReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Gate");
    public static readonly ServiceDescriptor MoService = MoReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Mo");
    public static readonly ServiceDescriptor ChangesService = ChangesReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Changes");

    /// <summary>The four services of the v1 contract.</summary>
    public static readonly IReadOnlyList<ServiceDescriptor> V1Services = [GateService, MoService, ChangesService, AdminService];

    public const string Sender = "+18005550100";

    public GrpcChannel Channel => channel;

    public Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request, TimeSpan? timeout = null)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        channel.CreateCallInvoker().AsyncUnaryCall(Calls.MethodOf<TRequest, TResponse>(AdminService.FindMethodByName(method)), null, Options(timeout), request).ResponseAsync;

    /// <summary>The status a call ends with: OK, or the status of its <see cref="RpcException"/>.</summary>
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

    public Task<CheckBatchResponse> CheckBatchAsync(CheckBatchRequest request, TimeSpan? timeout = null) =>
        new GateRpcClient(channel).CheckBatchAsync(request, Options(timeout)).ResponseAsync;

    public Task<AddOptOutsResponse> AddOptOutsAsync(IEnumerable<string> recipients, TimeSpan? timeout = null) =>
        CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = Sender, Recipients = { recipients } }, timeout);

    /// <summary>CheckBatch for MARKETING from <see cref="Sender"/>, in batches of at most 10,000; the verdicts in order and the highest sequence answered from.</summary>
    public async Task<(Verdict[] Verdicts, ulong Sequence)> CheckAllAsync(IReadOnlyList<string> recipients)
    {
        var verdicts = new Verdict[recipients.Count];
        ulong sequence = 0;
        for (var start = 0; start < recipients.Count; start += 10_000)
        {
            var request = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing };
            for (var i = start; i < Math.Min(recipients.Count, start + 10_000); i++)
            {
                request.Recipients.Add(recipients[i]);
            }

            var response = await CheckBatchAsync(request, TimeSpan.FromSeconds(60));
            response.Verdicts.CopyTo(verdicts, start);
            sequence = Math.Max(sequence, response.Sequence);
        }

        return (verdicts, sequence);
    }

    /// <summary>The head: the sequence a CheckBatch answers from.</summary>
    public async Task<ulong> HeadAsync() =>
        (await CheckBatchAsync(new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing })).Sequence;

    /// <summary>Every history record of the key's tenant, oldest first, as (sequence, recipient), from ExportHistory's CSV.</summary>
    public async Task<List<(ulong Sequence, string Recipient)>> ExportHistoryAsync(HistoryFilter? filter = null)
    {
        var text = await ExportAsync("ExportHistory", new ExportHistoryRequest { Filter = filter ?? new HistoryFilter() });
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        Assert.Equal("sequence", header[0]);
        Assert.Equal("recipient", header[4]);
        var rows = new List<(ulong, string)>(lines.Length - 1);
        for (var i = 1; i < lines.Length; i++)
        {
            // sequence, event_time, receive_time, sender, recipient: none of them can hold a comma or a quote.
            var fields = lines[i].Split(',', 6);
            rows.Add((ulong.Parse(fields[0], CultureInfo.InvariantCulture), fields[4]));
        }

        return rows;
    }

    /// <summary>A CSV export (ExportEntries or ExportHistory) read whole.</summary>
    public async Task<string> ExportAsync<TRequest>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
    {
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(Calls.MethodOf<TRequest, CsvChunk>(AdminService.FindMethodByName(method)), null, Options(TimeSpan.FromMinutes(2)), request);
        var data = new MemoryStream();
        while (await call.ResponseStream.MoveNext())
        {
            call.ResponseStream.Current.Data.WriteTo(data);
        }

        return Encoding.UTF8.GetString(data.ToArray());
    }

    public CallOptions Options(TimeSpan? timeout = null)
    {
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("authorization", "Bearer " + key);
        }

        return new CallOptions(headers, DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30)));
    }
}
