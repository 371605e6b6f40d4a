using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Tests.Infrastructure;

namespace OptOutGate.Engine.Tests.Storage.State;

public sealed class ScopeTableTests
{
    [Fact]
    public void Ids_AreAssignedInFirstNamedOrder_FromOne()
    {
        var table = new ScopeTable();

        var a = table.InternTenant("a");
        var b = table.InternTenant("b");
        var s1 = table.InternScope(b, "ACME", "");
        var s2 = table.InternScope(a, "", "");
        var again = table.InternScope(b, "ACME", "");

        Assert.Equal((1U, 2U, 1U, 2U, 1U), (a, b, s1, s2, again));
        Assert.Equal(1U, table.InternTenant("a"));
        Assert.Equal(2, table.ScopeCount);
    }

    [Fact]
    public void Lookups_ByStringsSpansAndId_Agree()
    {
        var table = new ScopeTable();
        var tenant = table.InternTenant("t");
        for (var i = 0; i < 200; i++)
        {
            table.InternScope(tenant, "S" + i, i % 2 == 0 ? "" : "app");
        }

        Assert.True(table.TryGetScope(tenant, "S101", "app", out var byString));
        Assert.True(table.TryGetScope(tenant, "xS101".AsSpan(1), "apps".AsSpan(0, 3), out var bySpan));
        Assert.Equal(byString, bySpan);
        Assert.True(table.TryGetScopeName(byString, out var name));
        Assert.Equal(new ScopeName(tenant, "S101", "app"), name);
        Assert.True(table.TryGetTenantName(tenant, out var tenantName));
        Assert.Equal("t", tenantName);

        Assert.False(table.TryGetScope(tenant, "S101", "", out _));
        Assert.False(table.TryGetScope(tenant, "s101", "app", out _));
        Assert.False(table.TryGetScope(tenant + 1, "S101", "app", out _));
        Assert.False(table.TryGetScopeName(0, out _));
        Assert.False(table.TryGetScopeName(201, out _));
        Assert.False(table.TryGetScope("unknown", "S1", "app", out _, out _));
        Assert.Equal(200, table.ScopesOf(tenant).Count());
    }

    [Fact]
    public void SaveAndLoad_KeepEveryId()
    {
        using var dir = new EngineTestDirectory();
        var table = new ScopeTable();
        var t1 = table.InternTenant("t1");
        var t2 = table.InternTenant("t2");
        table.InternScope(t2, "", "");
        table.InternScope(t1, "+18005550100", "app é");
        var path = Path.Combine(dir.Path, "scopes.bin");

        table.Save(path);
        var loaded = ScopeTable.Load(path);

        Assert.Equal(2, loaded.TenantCount);
        Assert.True(loaded.TryGetScope("t1", "+18005550100", "app é", out var tenantId, out var scopeId));
        Assert.Equal((t1, 2U), (tenantId, scopeId));
        Assert.Equal(3U, loaded.InternScope(t1, "new", ""));
    }

    [Fact]
    public void Load_OfATruncatedFile_Fails()
    {
        using var dir = new EngineTestDirectory();
        var table = new ScopeTable();
        table.InternScope(table.InternTenant("t1"), "S", "");
        var path = Path.Combine(dir.Path, "scopes.bin");
        table.Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);

        Assert.Throws<InvalidDataException>(() => ScopeTable.Load(path));
    }

    [Fact]
    public async Task Readers_SeeEveryPublishedId_WhileTheApplierInterns()
    {
        var table = new ScopeTable();
        var tenant = table.InternTenant("t");
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            var misses = 0;
            while (!stop.IsCancellationRequested)
            {
                var count = (uint)table.ScopeCount;
                for (uint id = 1; id <= count; id++)
                {
                    if (!table.TryGetScopeName(id, out var name) || !table.TryGetScope(tenant, name.Sender, name.App, out var back) || back != id)
                    {
                        misses++;
                    }
                }
            }

            return misses;
        });

        for (var i = 0; i < 20_000; i++)
        {
            table.InternScope(tenant, "S" + i, "");
        }

        await stop.CancelAsync();
        Assert.Equal(0, await reader);
    }
}
