namespace OptOutGate.Server.WebConsole;

/// <summary>The console's one static file, its style sheet, embedded in the assembly (no files beside the binary, no build step).</summary>
internal static class ConsoleAssets
{
    private static readonly Lazy<byte[]> s_css = new(static () =>
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("OptOutGate.Server.WebConsole.Assets.console.css")
            ?? throw new InvalidOperationException("The console's style sheet is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static Task Css(HttpContext context)
    {
        context.Response.ContentType = "text/css; charset=utf-8";
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return context.Response.Body.WriteAsync(s_css.Value).AsTask();
    }
}
