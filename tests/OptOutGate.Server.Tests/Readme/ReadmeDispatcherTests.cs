using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tenancy;
using Dispatching;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readme;

/// <summary>The README's C# dispatcher: printed exactly as <see cref="Dispatcher"/> compiles it, and it works against the gate.</summary>
public sealed class ReadmeDispatcherTests
{
    private const string Begin = "// README dispatcher begins";
    private const string End = "// README dispatcher ends";

    [Fact]
    public void TheReadmeShowsTheCompiledDispatcher_CharacterForCharacter()
    {
        var root = GateProcess.RepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "OptOutGate.Server.Tests", "Readme", "Dispatcher.cs"));
        var start = source.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length;
        var code = Unindent(source[start..source.IndexOf(End, start, StringComparison.Ordinal)]);
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");

        Assert.True(readme.Contains("```csharp\n" + code + "```\n", StringComparison.Ordinal), "README.md has no ```csharp block with exactly the dispatcher of Readme/Dispatcher.cs:\n" + code);
    }

    [Fact]
    public async Task TheDispatcher_SendsToAllowedRecipientsOnly()
    {
        var dispatcherKey = ApiKeyHash.NewKey();
        var operatorKey = ApiKeyHash.NewKey();
        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Tenancy:Tenants:acme:Keys:dispatcher:Hash"] = ApiKeyHash.ForConfiguration(dispatcherKey),
            ["Tenancy:Tenants:acme:Keys:dispatcher:Roles:0"] = "check",
            ["Tenancy:Tenants:acme:Keys:operator:Hash"] = ApiKeyHash.ForConfiguration(operatorKey),
            ["Tenancy:Tenants:acme:Keys:operator:Roles:0"] = "admin",
        });
        await gate.Admin.AddOptOutsAsync(
            new AddOptOutsRequest { Scope = Scope.Sender, Sender = "+18005550100", Recipients = { "+14155550101" }, Reason = "asked by phone" },
            GateTestServer.Options(operatorKey));

        var sent = await Dispatcher.SendAllowedAsync(gate.GrpcAddress, dispatcherKey, ["+14155550100", "not a number", "+14155550101", "+14155550102"]);

        Assert.Equal(["+14155550100", "+14155550102"], sent);
    }

    /// <summary>The block's lines without the indentation they have in the method, one "\n" after each.</summary>
    private static string Unindent(string block)
    {
        var lines = block.ReplaceLineEndings("\n").Split('\n').Select(static l => l.TrimEnd()).Where(static l => l.Length > 0).ToList();
        var indent = lines.Min(static l => l.Length - l.TrimStart().Length);
        return string.Concat(lines.Select(l => l[indent..] + "\n"));
    }
}
