using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OptOutGate.Server.WebConsole.Sessions;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>Sign-in with an API key: a session for the key's identity, a cookie that names the session.</summary>
internal sealed class SignInModel(ConsoleSessions sessions, ILogger<SignInModel> logger) : PageModel
{
    public string? Refusal { get; private set; }

    public string ReturnUrl { get; private set; } = ConsoleServices.PathBase;

    public bool KeysRequired => sessions.KeysRequired;

    public void OnGet(string? returnUrl) => ReturnUrl = Local(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? key, string? returnUrl)
    {
        ReturnUrl = Local(returnUrl);
        var peer = HttpContext.Connection.RemoteIpAddress?.ToString();
        if (!sessions.TrySignIn(key, out var sessionId, out var identity, out var refusal))
        {
            ConsoleLog.Refused(logger, peer, refusal);
            Refusal = refusal;
            Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status401Unauthorized;
            return Page();
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ConsoleServices.SessionClaim, sessionId)], ConsoleServices.Scheme));
        await HttpContext.SignInAsync(ConsoleServices.Scheme, principal);
        ConsoleLog.SignedIn(logger, identity.AccountId, identity.KeyName, peer);
        return LocalRedirect(ReturnUrl);
    }

    /// <summary>Only a path of the console: a sign-in link must not send the browser elsewhere.</summary>
    private static string Local(string? url) =>
        url is not null && url.StartsWith(ConsoleServices.PathBase, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            ? url
            : ConsoleServices.PathBase;
}
