using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Admin;

/// <summary>The default keyword set of DESIGN.md ("Default keywords"), the last fallback of effective_keywords.</summary>
internal static class BuiltInKeywords
{
    public static IReadOnlyList<Keyword> All { get; } = Build();

    private static Keyword[] Build()
    {
        var list = new List<Keyword>();
        Add(list, KeywordKind.OptOut, MatchMode.Leading, "STOP", "UNSUBSCRIBE", "UNSUB", "REVOKE", "OPTOUT", "OPT OUT", "QUIT");
        list.Add(new Keyword { Text = "STOPALL", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Leading, TenantWide = true });
        list.Add(new Keyword { Text = "STOP ALL", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Leading, TenantWide = true });
        Add(list, KeywordKind.OptOut, MatchMode.Exact, "CANCEL", "END", "REMOVE", "ARRET", "BAJA", "PARAR", "DETENER", "CANCELAR", "HALT", "FERMA", "STOPP", "TD", "退订");
        Add(list, KeywordKind.OptIn, MatchMode.Exact, "START", "UNSTOP", "SUBSCRIBE", "RESUME", "NONARRET");
        Add(list, KeywordKind.Help, MatchMode.Leading, "HELP", "INFO", "AIDE", "AYUDA", "AJUDA", "HILFE");
        return [.. list];
    }

    private static void Add(List<Keyword> list, KeywordKind kind, MatchMode mode, params string[] texts)
    {
        foreach (var text in texts)
        {
            list.Add(new Keyword { Text = text, Kind = kind, MatchMode = mode });
        }
    }
}
