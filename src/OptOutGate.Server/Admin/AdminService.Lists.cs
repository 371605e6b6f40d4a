using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Admin;

internal sealed partial class AdminService
{
    public override async Task<ListEntriesResponse> ListEntries(ListEntriesRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var query = EntryQueryOf(identity, request.Filter);
        var pageSize = Paging.PageSize(request.PageSize);
        var fingerprint = query.Fingerprint();
        var after = Paging.Decode(request.PageToken, PageList.Entries, fingerprint).Position;
        var lister = EntryLister.For(RequireEngine());
        var sequence = lister.AppliedSequence;
        var page = await lister.ListPageAsync(query, after, pageSize, context.CancellationToken);
        var response = new ListEntriesResponse { Sequence = sequence };
        response.Entries.AddRange(page.Entries);
        if (page.NextAfter != 0)
        {
            response.NextPageToken = new PageToken(page.NextAfter, "").Encode(PageList.Entries, fingerprint);
        }

        return response;
    }

    public override async Task ExportEntries(ExportEntriesRequest request, IServerStreamWriter<CsvChunk> responses, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var query = EntryQueryOf(identity, request.Filter);
        var lister = EntryLister.For(RequireEngine());
        var ct = context.CancellationToken;
        var csv = NewCsv(responses, lister.AppliedSequence);
        EntryCsv.WriteHeader(csv);
        await foreach (var entry in lister.ReadAllAsync(query, ct))
        {
            EntryCsv.WriteRow(csv, entry);
            await csv.FlushFullChunksAsync(ct);
        }

        await csv.CompleteAsync(ct);
    }

    private static EntryQuery EntryQueryOf(CallIdentity identity, EntryFilter? filter) =>
        EntryQuery.TryCreate(identity.TenantId, filter, out var query, out var error) ? query : throw AdminErrors.InvalidArgument(error);
}
