namespace OptOutGate.Engine.Storage.State;

internal sealed partial class ScopeTable
{
    private const uint FileMagic = 0x53434F50; // "SCOP"

    /// <summary>Writes the table (fsync'ed). Call with the applier paused, so ids and the applied sequence agree.</summary>
    public void Save(string path) => StateFile.Write(path, FileMagic, writer =>
    {
        var tenants = _tenants.Snapshot(out var tenantCount);
        writer.Write(tenantCount);
        for (var id = 1; id <= tenantCount; id++)
        {
            writer.Write(tenants[id]!);
        }

        var scopes = _scopes.Snapshot(out var scopeCount);
        writer.Write(scopeCount);
        for (var id = 1; id <= scopeCount; id++)
        {
            writer.Write(scopes[id].TenantId);
            writer.Write(scopes[id].Sender);
            writer.Write(scopes[id].App);
        }
    });

    /// <summary>Loads a table written by <see cref="Save"/>; ids are re-interned in id order, so they come back equal.</summary>
    public static ScopeTable Load(string path) => StateFile.Read(path, FileMagic, reader =>
    {
        var table = new ScopeTable();
        var tenantCount = reader.ReadInt32();
        for (var id = 1; id <= tenantCount; id++)
        {
            table.InternTenant(reader.ReadString());
        }

        var scopeCount = reader.ReadInt32();
        for (var id = 1; id <= scopeCount; id++)
        {
            var tenantId = reader.ReadUInt32();
            if (tenantId == 0 || tenantId > (uint)tenantCount)
            {
                throw new InvalidDataException($"{path}: scope {id} names unknown tenant id {tenantId}.");
            }

            table.InternScope(tenantId, reader.ReadString(), reader.ReadString());
        }

        return table;
    });
}
