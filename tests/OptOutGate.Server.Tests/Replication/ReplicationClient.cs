using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Replication;

/// <summary>The calls the replication tests make, on one gate process (keys off: loopback, tenant "default").</summary>
public sealed class ReplicationClient : IDisposable
{



    private readonly Metadata? _headers;

    /// <param name="apiKey">The key to present (a primary with API keys on); none while keys are off.</param>
    public ReplicationClient(GateProcess gate, string? apiKey = null)
    {
        Gate = gate;
        Channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        GateClient = new GateRpcClient(Channel);
        Admin = new AdminRpcClient(Channel);
        Mo = new MoRpcClient(Channel);
        Changes = new ChangesRpcClient(Channel);
        if (apiKey is not null)
        {
            _headers = new Metadata { { "authorization", "Bearer " + apiKey } };
        }
    }

    public GateProcess Gate { get; }

    public GrpcChannel Channel { get; }

    public GateRpcClient GateClient { get; }

    public AdminRpcClient Admin { get; }

    public MoRpcClient Mo { get; }

    public ChangesRpcClient Changes { get; }

    public static CallOptions Within(TimeSpan timeout) => new(deadline: DateTime.UtcNow + timeout);

    private CallOptions Call(TimeSpan timeout) => new(_headers, DateTime.UtcNow + timeout);

    /// <summary>Opts <paramref name="recipients"/> out at <paramref name="sender"/>; returns the sequence of the write.</summary>
    public async Task<ulong> OptOutAsync(string sender, IEnumerable<string> recipients)
    {
        var request = new AddOptOutsRequest { Scope = Scope.Sender, Sender = sender, Reason = "replication test" };
        request.Recipients.AddRange(recipients);
        var response = await Admin.AddOptOutsAsync(request, Call(TimeSpan.FromSeconds(30))).ResponseAsync;
        return response.Sequence;
    }

    /// <summary>Configures <paramref name="sender"/> as an inbound address with the default keywords (MO needs one).</summary>
    public async Task<ulong> PutInboundAddressAsync(string sender)
    {
        var address = await Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = sender } }, Call(TimeSpan.FromSeconds(30))).ResponseAsync;
        return address.UpdateSequence;
    }

    /// <summary>One MO message from <paramref name="from"/> to <paramref name="sender"/>; returns the sequence it committed (0 for none).</summary>
    public async Task<ulong> MoAsync(string sender, string from, string text, string carrierMessageId)
    {
        var message = new MoMessage
        {
            InboundAddress = sender,
            FromNumber = from,
            Text = text,
            CarrierMessageId = carrierMessageId,
            CarrierTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow),
        };
        var response = await Mo.RecordMoAsync(new RecordMoRequest { Message = message }, Call(TimeSpan.FromSeconds(30))).ResponseAsync;
        Assert.Null(response.Result.Error);
        return response.Result.Sequence;
    }

    public async Task<ulong> RemoveAsync(string sender, IEnumerable<string> recipients)
    {
        var request = new RemoveOptOutsRequest { Scope = Scope.Sender, Sender = sender, Reason = "replication test" };
        request.Recipients.AddRange(recipients);
        var response = await Admin.RemoveOptOutsAsync(request, Call(TimeSpan.FromSeconds(30))).ResponseAsync;
        return response.Results.Count == 0 ? 0 : response.Results.Max(r => r.Sequence);
    }

    public async Task<ulong> SuppressAsync(IEnumerable<string> recipients)
    {
        var request = new AddSuppressionsRequest { Scope = Scope.Tenant, Reason = "replication test" };
        request.SmsTypes.Add(SmsType.Marketing);
        request.Recipients.AddRange(recipients);
        var response = await Admin.AddSuppressionsAsync(request, Call(TimeSpan.FromSeconds(30))).ResponseAsync;
        return response.Results.Count == 0 ? 0 : response.Results.Max(r => r.Sequence);
    }

    public Task<CheckBatchResponse> CheckAsync(string sender, string recipient, ulong minSequence = 0, TimeSpan? timeout = null)
    {
        var request = new CheckBatchRequest { Sender = sender, SmsType = SmsType.Marketing, MinSequence = minSequence };
        request.Recipients.Add(recipient);
        return GateClient.CheckBatchAsync(request, Call(timeout ?? TimeSpan.FromSeconds(30))).ResponseAsync;
    }

    /// <summary>The node's applied sequence, as a CheckBatch answer reports it.</summary>
    public async Task<ulong> AppliedSequenceAsync() => (await CheckAsync("0", "+14155550100")).Sequence;

    /// <summary>Waits until the node has applied <paramref name="sequence"/> (CheckBatch with min_sequence, retried while UNAVAILABLE).</summary>
    public async Task WaitForSequenceAsync(ulong sequence, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var answer = await CheckAsync("0", "+14155550100", sequence, deadline - DateTime.UtcNow);
                Assert.True(answer.Sequence >= sequence);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Every entry of every kind with all its details (reason, update time, actor, carrier id...), in a stable order.</summary>
    public async Task<List<string>> AllEntriesAsync()
    {
        var all = new List<string>();
        foreach (var kind in new[] { EntryKind.OptOut, EntryKind.Suppression, EntryKind.Bypass })
        {
            var token = string.Empty;
            do
            {
                var request = new ListEntriesRequest { Filter = new EntryFilter { Kind = kind }, PageSize = 1000, PageToken = token };
                var page = await DiagnosedAsync(Admin.ListEntriesAsync(request, Call(TimeSpan.FromSeconds(30))).ResponseAsync, $"a ListEntries page of {kind}");
                foreach (var e in page.Entries)
                {
                    all.Add(e.ToString());
                }

                token = page.NextPageToken;
            }
            while (token.Length != 0);
        }

        all.Sort(StringComparer.Ordinal);
        return all;
    }

    /// <summary>
    /// The answer of <paramref name="call"/>; past its deadline, an exception that says what the gate was doing then
    /// (<see cref="GateProcess.DiagnoseAsync"/>): a timeout here has been seen only under the full suite's load.
    /// </summary>
    private async Task<T> DiagnosedAsync<T>(Task<T> call, string what)
    {
        try
        {
            return await call;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            throw new TimeoutException($"The gate did not answer {what} within its deadline.\n{await Gate.DiagnoseAsync()}", e);
        }
    }

    /// <summary>The records <paramref name="from"/>..<paramref name="to"/> this node's change stream serves (from its own log).</summary>
    public async Task<List<ChangeRecord>> ChangesAsync(ulong to, ulong from = 1)
    {
        var records = new List<ChangeRecord>();
        using var call = Changes.StreamChanges(new StreamChangesRequest { FromSequence = from, ToSequence = to }, Call(TimeSpan.FromSeconds(60)));
        while (await call.ResponseStream.MoveNext())
        {
            records.AddRange(call.ResponseStream.Current.Records);
        }

        return records;
    }

    public void Dispose() => Channel.Dispose();
}
