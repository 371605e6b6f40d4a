using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Admin;

/// <summary>UpdateTenantPolicy: the current policy with the fields of the update mask taken from the request, validated.</summary>
internal static class TenantPolicyUpdate
{
    private static readonly string[] WritablePaths = ["ambiguous_policy", "revoke_all", "confirmation_window", "review_due_business_days", "keywords"];
    private static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    public static TenantPolicy Apply(TenantPolicy current, UpdateTenantPolicyRequest request)
    {
        var update = request.Policy ?? new TenantPolicy();
        var paths = request.UpdateMask is { Paths.Count: > 0 } mask ? mask.Paths : (IList<string>)WritablePaths;
        var policy = current.Clone();
        policy.UpdateTime = null;
        policy.UpdateSequence = 0;
        foreach (var path in paths)
        {
            switch (path)
            {
                case "ambiguous_policy":
                    if (update.AmbiguousPolicy is < AmbiguousPolicy.Unspecified or > AmbiguousPolicy.Ignore)
                    {
                        throw AdminErrors.InvalidArgument("policy.ambiguous_policy is not a known policy.");
                    }

                    policy.AmbiguousPolicy = update.AmbiguousPolicy;
                    break;
                case "revoke_all":
                    policy.RevokeAll = update.RevokeAll;
                    break;
                case "confirmation_window":
                    policy.ConfirmationWindow = CheckWindow(update.ConfirmationWindow);
                    break;
                case "review_due_business_days":
                    if (update.ReviewDueBusinessDays is < 0 or > 60)
                    {
                        throw AdminErrors.InvalidArgument("policy.review_due_business_days must be 0 (= 10) to 60.");
                    }

                    policy.ReviewDueBusinessDays = update.ReviewDueBusinessDays;
                    break;
                case "keywords":
                    policy.Keywords.Clear();
                    policy.Keywords.AddRange(ConfigValidation.NormalizeKeywords(update.Keywords, "policy.keywords"));
                    break;
                default:
                    throw AdminErrors.InvalidArgument($"update_mask path '{path}' is unknown or output-only; writable: {string.Join(", ", WritablePaths)}.");
            }
        }

        return policy;
    }

    private static Duration? CheckWindow(Duration? window)
    {
        if (window is null)
        {
            return null;
        }

        TimeSpan span;
        try
        {
            span = window.ToTimeSpan();
        }
        catch (InvalidOperationException)
        {
            throw AdminErrors.InvalidArgument("policy.confirmation_window is not a valid duration.");
        }

        return span < MinWindow || span > MaxWindow
            ? throw AdminErrors.InvalidArgument("policy.confirmation_window must be 1 second to 24 hours.")
            : window;
    }
}
