using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>Sign-out (a form post, with its antiforgery token): the session ends on the server, then the cookie goes.</summary>
internal sealed class SignOutModel(Sessions.ConsoleSessions sessions, ILogger<SignOutModel> logger) : ConsolePage
{
    public IActionResult OnGet() => Redirect(ConsoleServices.PathBase);

    public async Task<IActionResult> OnPostAsync()
    {
        sessions.SignOut(Session.SessionId);
        Sessions.ConsoleLog.SignedOut(logger, Identity.AccountId, Identity.KeyName);
        await HttpContext.SignOutAsync(ConsoleServices.Scheme);
        return Redirect(ConsoleServices.PathBase + "/signin");
    }
}
