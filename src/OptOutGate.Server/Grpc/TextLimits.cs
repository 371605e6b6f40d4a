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
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    public static void CheckSender(string sender, string field)
    {
        if (sender.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, field + " is required."));
        }

        if (CodePoints(sender) > MaxSender)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, field + " is longer than 32 characters."));
        }
    }

    public static void CheckApp(string app, string field)
    {
        if (CodePoints(app) > MaxApp)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, field + " is longer than 64 characters."));
        }
    }

    public static void CheckReason(string reason, string field, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(reason))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, field + " is required."));
        }

        if (CodePoints(reason) > MaxReason)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, field + " is longer than 500 characters."));
        }
    }

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
}
