using Grpc.Core;

namespace OptOutGate.Server.Grpc;

/// <summary>Lengths are counted in Unicode code points (common.proto "Strings").</summary>
internal static class TextLimits
{
    public const int MaxSender = 32;
    public const int MaxApp = 64;
    public const int MaxReason = 500;

    public static int CodePoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is longer than <paramref name="max"/> code points. Any string of at most
    /// <paramref name="max"/> UTF-16 units is within it, so only longer ones are counted (the CheckBatch path asks).
    /// </summary>
    public static bool Exceeds(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > max && CodePoints(text) > max;
    }

    /// <summary>Null when <paramref name="sender"/> is a valid sender (1-32 code points); else the INVALID_ARGUMENT message.</summary>
    public static string? SenderProblem(string sender, string field) =>
        sender.Length == 0 ? field + ": required (1-32 characters)."
        : Exceeds(sender, MaxSender) ? field + ": at most 32 characters."
        : null;

    /// <summary>Null when <paramref name="app"/> is within 64 code points; else the INVALID_ARGUMENT message.</summary>
    public static string? AppProblem(string app, string field) => Exceeds(app, MaxApp) ? field + ": at most 64 characters." : null;

    /// <summary>Null when <paramref name="reason"/> is within 500 code points (and present when required); else the INVALID_ARGUMENT message.</summary>
    public static string? ReasonProblem(string reason, string field, bool required) =>
        required && string.IsNullOrWhiteSpace(reason) ? field + ": required (1-500 characters)."
        : Exceeds(reason, MaxReason) ? field + ": at most 500 characters."
        : null;

    public static void CheckSender(string sender, string field) => ThrowIf(SenderProblem(sender, field));

    /// <summary>INVALID_ARGUMENT when <paramref name="text"/> is longer than <paramref name="max"/> code points.</summary>
    public static void CheckLength(string text, int max, string field) =>
        ThrowIf(Exceeds(text, max) ? field + ": at most " + max.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters." : null);

    public static void CheckApp(string app, string field) => ThrowIf(AppProblem(app, field));

    public static void CheckReason(string reason, string field, bool required) => ThrowIf(ReasonProblem(reason, field, required));

    /// <summary>BCP 47 in its common shape: 2-8 letter primary subtag, then letter/digit subtags of 1-8, hyphen-separated.</summary>
    public static bool IsLanguageCode(string code)
    {
        if (code.Length is < 2 or > 35)
        {
            return false;
        }

        var parts = code.Split('-');
        if (parts[0].Length is < 2 or > 8 || !parts[0].All(char.IsAsciiLetter))
        {
            return false;
        }

        return parts.Skip(1).All(p => p.Length is >= 1 and <= 8 && p.All(char.IsAsciiLetterOrDigit));
    }

    private static void ThrowIf(string? problem)
    {
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }
    }
}
