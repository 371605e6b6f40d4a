using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Mo;

/// <summary>Mo, Admin and Gate calls through Grpc.Net.Client and the generated clients (Admin methods also by name) (keys off: loopback, tenant "default").</summary>
public sealed class MoClient(GrpcChannel channel, string? apiKey = null)
{
    public const string Address = "+18005550100";

    private static readonly ServiceDescriptor s_admin = AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin");

    public static readonly DateTime BaseTime = new(2026, 1, 5, 12, 0, 0, DateTimeKind.Utc);

    public GrpcChannel Channel => channel;

    /// <summary>The same channel, presenting <paramref name="key"/> (a gate with API keys on).</summary>
    public MoClient WithKey(string key) => new(channel, key);

    private CallOptions Options() =>
        apiKey is null ? Deadline() : new CallOptions(new Metadata { { "authorization", "Bearer " + apiKey } }, DateTime.UtcNow.AddSeconds(60));

    public MoRpcClient Mo { get; } = new(channel);

    public AdminRpcClient Admin { get; } = new(channel);

    public static MoMessage Message(string from, string text, string id, int secondsAfterBase = 0, string to = Address) => new()
    {
        InboundAddress = to,
        FromNumber = from,
        Text = text,
        CarrierMessageId = id,
        CarrierTime = Timestamp.FromDateTime(BaseTime.AddSeconds(secondsAfterBase)),
    };

    public async Task<MoResult> RecordAsync(MoMessage message) =>
        (await Mo.RecordMoAsync(new RecordMoRequest { Message = message }, Options())).Result;

    public Task<TResponse> AdminAsync<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        channel.CreateCallInvoker().AsyncUnaryCall(Calls.MethodOf<TRequest, TResponse>(s_admin.FindMethodByName(method)), null, Options(), request).ResponseAsync;

    public async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    /// <summary>An inbound address with English (default) and French reply texts.</summary>
    public Task<InboundAddress> PutAddressAsync(string sender = Address) =>
        AdminAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest
        {
            InboundAddress = new InboundAddress
            {
                Sender = sender,
                DefaultLanguageCode = "en",
                ReplyTexts =
                {
                    new ReplyText { LanguageCode = "en", OptOutText = "You are unsubscribed.", OptInText = "You are subscribed again.", HelpText = "Reply STOP to stop." },
                    new ReplyText { LanguageCode = "fr", OptOutText = "Vous êtes désabonné.", OptInText = "Vous êtes réabonné.", HelpText = "Répondez ARRET." },
                },
            },
        });

    public Task<TenantPolicy> SetPolicyAsync(TenantPolicy policy, params string[] paths)
    {
        var request = new UpdateTenantPolicyRequest { Policy = policy, UpdateMask = new FieldMask() };
        request.UpdateMask.Paths.AddRange(paths);
        return AdminAsync<UpdateTenantPolicyRequest, TenantPolicy>("UpdateTenantPolicy", request);
    }

    public async Task<Verdict> CheckAsync(string recipient, SmsType type, string sender = Address)
    {
        var response = await new GateRpcClient(channel).CheckBatchAsync(
            new CheckBatchRequest { Sender = sender, SmsType = type, Recipients = { recipient } },
            Options());
        return response.Verdicts[0];
    }

    public async Task<List<ChangeRecord>> HistoryAsync(string recipient)
    {
        var response = await AdminAsync<ListHistoryRequest, ListHistoryResponse>(
            "ListHistory",
            new ListHistoryRequest { Filter = new HistoryFilter { Recipient = recipient }, PageSize = 1000 });
        return [.. response.Records];
    }

    public static CallOptions Deadline(int seconds = 60) => new(deadline: DateTime.UtcNow.AddSeconds(seconds));
}
