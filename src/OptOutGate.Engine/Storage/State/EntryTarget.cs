using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// The (sender, app) of the scope an entry change targets, from a record's or request's scope, sender and app, with
/// the rules of admin_optouts.proto ("Targets"). Records always carry an explicit scope; UNSPECIFIED is derived as the
/// contract says for requests. The app of a SCOPE_SENDER record is not part of the target (provider errors record
/// the app that sent, but opt out the sender).
/// </summary>
internal static class EntryTarget
{
    public static bool TryResolve(Scope scope, string sender, string app, out string scopeSender, out string scopeApp)
    {
        switch (scope)
        {
            case Scope.Tenant:
                (scopeSender, scopeApp) = ("", "");
                return true;
            case Scope.Sender when sender.Length != 0:
                (scopeSender, scopeApp) = (sender, "");
                return true;
            case Scope.SenderApp when sender.Length != 0 && app.Length != 0:
                (scopeSender, scopeApp) = (sender, app);
                return true;
            case Scope.Unspecified when sender.Length != 0:
                (scopeSender, scopeApp) = (sender, app);
                return true;
            default:
                (scopeSender, scopeApp) = ("", "");
                return false;
        }
    }

    /// <summary>The explicit scope a target resolves to (records always name it).</summary>
    public static Scope ScopeOf(string scopeSender, string scopeApp) =>
        scopeSender.Length == 0 ? Scope.Tenant : scopeApp.Length == 0 ? Scope.Sender : Scope.SenderApp;
}
