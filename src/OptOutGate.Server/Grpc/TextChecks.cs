using Grpc.Core;
using OptOutGate.Engine.Text;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// The INVALID_ARGUMENT checks of the contract's shared text fields (sender, app, reason): the rules are the engine's
/// <see cref="TextLimits"/> (lengths in code points, common.proto "Strings"), the messages name the field and the limit.
/// </summary>
internal static class TextChecks
{
    /// <summary>Null when <paramref name="sender"/> is a valid sender (1-32 code points); else the INVALID_ARGUMENT message.</summary>
    public static string? SenderProblem(string sender, string field) =>
        sender.Length == 0 ? field + ": required (1-32 characters)."
        : TextLimits.Exceeds(sender, TextLimits.MaxSender) ? field + ": at most 32 characters."
        : null;

    /// <summary>Null when <paramref name="app"/> is within 64 code points; else the INVALID_ARGUMENT message.</summary>
    public static string? AppProblem(string app, string field) => TextLimits.Exceeds(app, TextLimits.MaxApp) ? field + ": at most 64 characters." : null;

    /// <summary>Null when <paramref name="reason"/> is within 500 code points (and present when required); else the INVALID_ARGUMENT message.</summary>
    public static string? ReasonProblem(string reason, string field, bool required) =>
        required && string.IsNullOrWhiteSpace(reason) ? field + ": required (1-500 characters)."
        : TextLimits.Exceeds(reason, TextLimits.MaxReason) ? field + ": at most 500 characters."
        : null;

    public static void CheckSender(string sender, string field) => ThrowIf(SenderProblem(sender, field));

    /// <summary>INVALID_ARGUMENT when <paramref name="text"/> is longer than <paramref name="max"/> code points.</summary>
    public static void CheckLength(string text, int max, string field) =>
        ThrowIf(TextLimits.Exceeds(text, max) ? field + ": at most " + max.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters." : null);

    public static void CheckApp(string app, string field) => ThrowIf(AppProblem(app, field));

    public static void CheckReason(string reason, string field, bool required) => ThrowIf(ReasonProblem(reason, field, required));

    private static void ThrowIf(string? problem)
    {
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }
    }
}
