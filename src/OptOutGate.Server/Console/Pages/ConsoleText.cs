using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>How the console writes numbers, times and enum names.</summary>
internal static class ConsoleText
{
    /// <summary>"+1415•••4567": enough to tell numbers apart on a screen, not enough to dial one.</summary>
    public static string Mask(string recipient)
    {
        if (string.IsNullOrEmpty(recipient) || recipient.Length < 9)
        {
            return recipient;
        }

        return string.Concat(recipient.AsSpan(0, 5), "•••", recipient.AsSpan(recipient.Length - 4));
    }

    public static string Time(Timestamp? time) =>
        time is null || (time.Seconds == 0 && time.Nanos == 0)
            ? ""
            : time.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A contract enum as an operator reads it: SmsType.Marketing → "MARKETING", ChangeAction.OptOutRemoved → "OPT OUT REMOVED".</summary>
    public static string Name<T>(T value)
        where T : struct, System.Enum
    {
        var text = value.ToString();
        var builder = new System.Text.StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            if (i > 0 && char.IsUpper(text[i]))
            {
                builder.Append(' ');
            }

            builder.Append(char.ToUpperInvariant(text[i]));
        }

        return builder.ToString();
    }

    /// <summary>An SVG &lt;text&gt; element (Razor reads a literal &lt;text&gt; tag as its own).</summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent SvgText(int x, int y, string text) =>
        new Microsoft.AspNetCore.Html.HtmlString(string.Create(
            CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{y}\">{System.Net.WebUtility.HtmlEncode(text)}</text>"));
}
