using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Console;

/// <summary>A browser context signed in to a gate's console with one key, and what the tests do with it.</summary>
public sealed partial class ConsoleSession : IAsyncDisposable
{
    private ConsoleSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Opens /console, is sent to the sign-in page, signs in with <paramref name="key"/> (none while keys are off).</summary>
    public static async Task<ConsoleSession> SignInAsync(ConsoleBrowser browser, GateTestServer server, string? key)
    {
        var context = await browser.NewContextAsync(server.HttpAddress!);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/console");
        Assert.EndsWith("/console/signin?ReturnUrl=%2Fconsole", page.Url, StringComparison.Ordinal);
        if (key is not null)
        {
            await page.FillAsync("#key", key);
        }

        await page.ClickAsync("button[type=submit]");
        try
        {
            // The overview's heading rather than a URL wait, which also waits for the load event.
            await page.Locator("main.content h1", new PageLocatorOptions { HasText = "Overview" }).WaitForAsync();
            Assert.Matches(SignedInUrl(), page.Url);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Sign-in did not reach the overview; the page is {page.Url}: {await page.TextContentAsync("body")}", e);
        }

        return new ConsoleSession(context, page);
    }

    /// <summary>The notice of the last write; fails with the page's error when the write was refused.</summary>
    public async Task<string> NoticeAsync()
    {
        var shown = Page.Locator("[role=status], [role=alert]").First;
        var text = await shown.TextContentAsync() ?? "";
        Assert.True(await shown.GetAttributeAsync("role") == "status", "The page shows an error: " + text);
        return text;
    }

    public Task<IResponse?> GotoAsync(string path) => Page.GotoAsync(path);

    /// <summary>
    /// Waits for <paramref name="selector"/> to be visible; past Playwright's timeout, fails with the page's address and
    /// the text it shows instead (a progress line, an error), which a bare timeout does not say.
    /// </summary>
    public async Task WaitForAsync(string selector)
    {
        try
        {
            await Page.Locator(selector).WaitForAsync();
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            var text = await Page.InnerTextAsync("body");
            throw new TimeoutException($"{selector} did not appear on {Page.Url}; the page shows:\n{text[..Math.Min(text.Length, 3000)]}", e);
        }
    }

    /// <summary>The antiforgery token of this session, as the layout's sign-out form carries it.</summary>
    public Task<string> AntiforgeryTokenAsync() => Page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync();

    /// <summary>
    /// Posts <paramref name="fields"/> to <paramref name="path"/> by hand, with this session's cookies (and its
    /// antiforgery token unless <paramref name="withToken"/> is false): what a forged or scripted post sends.
    /// </summary>
    public async Task<IAPIResponse> PostFormAsync(string path, IReadOnlyDictionary<string, string> fields, bool withToken = true)
    {
        var form = Context.APIRequest.CreateFormData();
        if (withToken)
        {
            form.Set("__RequestVerificationToken", await AntiforgeryTokenAsync());
        }

        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return await Context.APIRequest.PostAsync(path, new APIRequestContextOptions { Form = form });
    }

    /// <summary>The fields of a mute-list post adding <paramref name="number"/> tenant-wide for marketing.</summary>
    public static Dictionary<string, string> MuteFields(string number, string reason) => new()
    {
        ["kind"] = "Suppression",
        ["scope"] = "Tenant",
        ["reason"] = reason,
        ["numbers"] = number,
        ["smsTypes"] = "Marketing",
    };

    /// <summary>Saves a full-page screenshot as console-screenshots/<paramref name="name"/>.png.</summary>
    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBrowser.ScreenshotDirectory, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await Context.CloseAsync();

    [GeneratedRegex(@"/console$")]
    private static partial Regex SignedInUrl();
}
