using OptOutGate.Engine;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Readiness;

// Accounts moved off a shared list get what blocked them there before the gate serves (Tenancy/AccountListMoves).
internal sealed partial class GateEngineHost
{
    /// <summary>
    /// On a primary with API keys on: compares the configured lists with the record of the last start, copies a shared
    /// list's opt-outs and suppressions to each account that left it for its own list, then records the lists. False when
    /// the process is stopping instead (a move it refuses, an unreadable record, a failed copy).
    /// </summary>
    private async Task<bool> MoveAccountListsAsync(GateEngine engine)
    {
        if (replication.IsReplica || !tenants.AuthenticationEnabled)
        {
            // A replica gets the primary's copies through the change stream; with keys off there is one tenant, no list.
            return true;
        }

        var data = serverOptions.Value.DataDirectory;
        try
        {
            var current = AccountListMoves.CurrentLists(tenants);
            var (toOwn, problems) = AccountListMoves.Compare(AccountListRecord.Load(data), current);
            if (problems.Count != 0)
            {
                foreach (var problem in problems)
                {
                    LogListConflict(_logger, problem, ExitCodes.Configuration);
                }

                await StopForConfigurationAsync(engine);
                return false;
            }

            foreach (var (account, sharedList) in toOwn)
            {
                var (copied, present) = await AccountListMoves.CopyAsync(engine, account, sharedList, time, _stopping.Token);
                LogAccountMovedToOwnList(_logger, account, sharedList, copied, present);
            }

            AccountListRecord.Save(data, current);
            return true;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            await engine.DisposeAsync();
            return false;
        }
        catch (InvalidDataException e)
        {
            LogListConflict(_logger, e.Message, ExitCodes.Configuration);
            await StopForConfigurationAsync(engine);
            return false;
        }
#pragma warning disable CA1031 // The copy must be whole before the account is served: any failure stops the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogOpenFailed(_logger, "copying a shared list's entries to an account moved to its own list: " + e.Message, ExitCodes.Fatal, e);
            await engine.DisposeAsync();
            StopWithFailure();
            return false;
        }
    }

    private async Task StopForConfigurationAsync(GateEngine engine)
    {
        await engine.DisposeAsync();
        Environment.ExitCode = ExitCodes.Configuration;
        lifetime.StopApplication();
    }

    [LoggerMessage(EventId = EventIds.Readiness + 9, EventName = "AccountMovedToOwnList", Level = LogLevel.Warning,
        Message = "Account '{Account}' moved off organization '{SharedList}''s shared list to its own: {Copied} opt-outs and suppressions of the shared list copied to its own list ({Present} were there already), so none of them turns ALLOWED for it")]
    private static partial void LogAccountMovedToOwnList(ILogger logger, string account, string sharedList, long copied, long present);
}
