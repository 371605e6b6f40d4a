using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Decisions;

/// <summary>
/// The live check reads only the kinds of entry a scope has held (EntryIndex.KindsIn); the point-in-time check replays
/// the history and reads no index at all. Over random opt-outs, suppressions and bypasses in every scope, added and
/// removed, both must answer every recipient alike: on the engine that wrote them, and on the engine reopened from its
/// checkpoint (before and after its index has scanned its log for the kinds).
/// </summary>
public sealed class ScopeKindsCheckTests
{
    private const string Tenant = "tenant-a";
    private static readonly string[] Senders = ["+18005550100", "+18005550101"];
    private static readonly string[] Apps = ["", "app-1"];
    private static readonly SmsType[] Types = [SmsType.Marketing, SmsType.Notification, SmsType.Verification];
    private static readonly string[] Recipients = [.. Enumerable.Range(0, 24).Select(static i => "+1415555" + (100 + i).ToString("D4", System.Globalization.CultureInfo.InvariantCulture))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Live_checks_answer_as_the_history_replay_does(int seed)
    {
        var random = new Random(seed);
        using var dir = new EngineTestDirectory();
        await using (var engine = await dir.OpenAsync(checkpointOnDispose: true))
        {
            // Each scope holds its own few kinds, so that the scopes of a check differ in what they hold.
            EntryKind[] all = [EntryKind.OptOut, EntryKind.Suppression, EntryKind.Bypass];
            var kindsOf = new Dictionary<Scope, EntryKind[]>
            {
                [Scope.Sender] = [.. all.Where(_ => random.Next(2) == 0).DefaultIfEmpty(EntryKind.OptOut)],
                [Scope.SenderApp] = [.. all.Where(_ => random.Next(2) == 0).DefaultIfEmpty(EntryKind.Bypass)],
                [Scope.Tenant] = [.. all.Where(_ => random.Next(2) == 0).DefaultIfEmpty(EntryKind.Suppression)],
            };
            var writes = random.Next(10, 60);
            for (var i = 0; i < writes; i++)
            {
                var scope = random.Next(3) switch { 0 => Scope.Sender, 1 => Scope.SenderApp, _ => Scope.Tenant };
                var kind = kindsOf[scope][random.Next(kindsOf[scope].Length)];
                var operation = random.Next(5) == 0 ? EntryWriteOperation.Remove : EntryWriteOperation.Add;
                var recipients = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Recipients[random.Next(Recipients.Length)]).Distinct().ToArray();
                var mask = kind == EntryKind.OptOut ? (byte)0 : (byte)(1 << (int)Types[random.Next(Types.Length)]);
                await engine.WriteAsync(
                    Tenant, Senders[random.Next(Senders.Length)], kind, operation, recipients, mask, scope,
                    app: scope == Scope.SenderApp ? "app-1" : "", @override: true);

                // Each change at its own time: the replay orders changes of one instant opt-outs last (conservatively),
                // where the live state follows their sequence.
                dir.Time.Advance(TimeSpan.FromSeconds(1));
            }

            dir.Time.Advance(TimeSpan.FromMinutes(1));
            await AssertLiveMatchesReplayAsync(engine, dir, "the engine that wrote them");
        }

        await using var reopened = await dir.OpenAsync();
        await AssertLiveMatchesReplayAsync(reopened, dir, $"reopened, kinds known: {reopened.Index.ScopeKindsKnown}");
        await reopened.Index.ScopeKindsScan.WaitAsync(TimeSpan.FromSeconds(60));
        await AssertLiveMatchesReplayAsync(reopened, dir, "reopened, after the scan");
    }

    private static async Task AssertLiveMatchesReplayAsync(GateEngine engine, EngineTestDirectory dir, string when)
    {
        var checks = new CheckEngine(engine, dir.Time);
        var replay = PointInTimeCheck.For(engine);
        var now = dir.Time.GetUtcNow().UtcDateTime;
        var numbers = new ulong[Recipients.Length];
        CheckEngine.ParseRecipients(Recipients, numbers);
        foreach (var sender in Senders)
        {
            foreach (var app in Apps)
            {
                foreach (var type in Types)
                {
                    var verdicts = new Verdict[numbers.Length];
                    await checks.CheckAsync(new CheckQuery(Tenant, sender, app, type, false, "key-1"), numbers, verdicts, null, CancellationToken.None);
                    for (var i = 0; i < numbers.Length; i++)
                    {
                        var expected = await replay.CheckAsync(Tenant, numbers[i], sender, app, type, now, CancellationToken.None);
                        Assert.True(
                            expected.Verdict == verdicts[i],
                            $"{when}: {Recipients[i]} from {sender} app '{app}' {type}: live {verdicts[i]}, replayed {expected.Verdict}");
                    }
                }
            }
        }
    }
}
