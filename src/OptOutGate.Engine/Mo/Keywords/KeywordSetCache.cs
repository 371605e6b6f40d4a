using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo.Keywords;

/// <summary>
/// The compiled <see cref="KeywordSet"/> in effect at an inbound address: its own keywords, else the tenant's, else the
/// built-in defaults (admin_config.proto InboundAddress.keywords). Compiled once per configuration object: the
/// configuration replaces an address or policy object when it changes, so the cache is keyed by object identity and
/// forgets replaced ones with them.
/// </summary>
internal sealed class KeywordSetCache
{
    private readonly ConditionalWeakTable<InboundAddress, KeywordSet> _byAddress = [];
    private readonly ConditionalWeakTable<TenantPolicy, KeywordSet> _byPolicy = [];

    public KeywordSet For(InboundAddress address, TenantPolicy policy)
    {
        if (address.Keywords.Count > 0)
        {
            return _byAddress.GetValue(address, static a => Compile(a.Keywords));
        }

        return policy.Keywords.Count > 0 ? _byPolicy.GetValue(policy, static p => Compile(p.Keywords)) : KeywordSet.Default;
    }

    // Configuration is validated when it is put; a set that no longer compiles (a rule tightened since) keeps the defaults,
    // which always hold STOP, START and HELP.
    private static KeywordSet Compile(IEnumerable<Keyword> keywords) =>
        KeywordSet.TryCreate(keywords, out var set, out _) ? set : KeywordSet.Default;
}
