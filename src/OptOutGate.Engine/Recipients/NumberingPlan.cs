using PhoneNumbers;

namespace OptOutGate.Engine.Recipients;

/// <summary>
/// Numbering plans (DESIGN.md: "Numbers that no numbering plan allows (libphonenumber's metadata) are INVALID_RECIPIENT;
/// each entry stores the number's country"). Two faces of libphonenumber-csharp's metadata:
/// <list type="bullet">
/// <item>Write time (<see cref="TryValidate"/>): the full library: parse, IsValidNumber, the number written exactly as
/// its E.164 format, and the region (ISO 3166-1 alpha-2, "001" for non-geographic numbers). A few microseconds.</item>
/// <item>Check time (<see cref="Table"/>): a compact automaton built once from the same metadata
/// (<see cref="NumberingPlanTable"/>), walked digit by digit while a recipient is parsed, with no allocation.</item>
/// </list>
/// </summary>
public static class NumberingPlan
{
    // The embedded resource holding the table built from the libphonenumber this assembly is compiled against.
    private const string StoredTableResource = "OptOutGate.Engine.numbering-plan.bin";

    private static readonly Lazy<(NumberingPlanTable Table, bool Stored)> LazyTable = new(LoadOrBuild, LazyThreadSafetyMode.ExecutionAndPublication);

    // libphonenumber loads its metadata at first use (tens of milliseconds); the check path needs only the table.
    private static readonly Lazy<PhoneNumberUtil> LazyUtil = new(PhoneNumberUtil.GetInstance, LazyThreadSafetyMode.ExecutionAndPublication);

    private static PhoneNumberUtil Util => LazyUtil.Value;

    /// <summary>The check-time automaton; read or built at first use (the host does it at start-up).</summary>
    public static NumberingPlanTable Table => LazyTable.Value.Table;

    /// <summary>
    /// Whether <see cref="Table"/> is the stored one (the engine's numbering-plan.bin); false when it was built from the
    /// metadata because the stored table is for another libphonenumber build.
    /// </summary>
    public static bool TableWasStored => LazyTable.Value.Stored;

    /// <summary>
    /// True when <paramref name="e164"/> is E.164 as the contract writes it and a number its numbering plan allows;
    /// <paramref name="country"/> is then its region. Where one region's plan alone accepts the number (every calling
    /// code but the few that several regions share) the table built from the metadata answers both, in a walk over the
    /// digits; otherwise (NANP, +7, +44...) libphonenumber parses it and picks the region as it always does. Bulk writes
    /// of 10,000 recipients thus cost milliseconds, not the tens of milliseconds a full parse of each would.
    /// </summary>
    public static bool TryValidate(string e164, out string country)
    {
        country = "";
        if (!E164.TryParse(e164, out var number))
        {
            return false;
        }

        if (Table.TryGetRegion(number, out var valid, out country))
        {
            return true;
        }

        if (!valid)
        {
            return false;
        }

        country = Validate(e164);
        return country.Length != 0;
    }

    /// <summary>The region of a valid number, or "" when no numbering plan allows it (or it is not E.164).</summary>
    public static string CountryOf(string e164) => TryValidate(e164, out var country) ? country : "";

    private static (NumberingPlanTable Table, bool Stored) LoadOrBuild()
    {
        using (var stored = typeof(NumberingPlan).Assembly.GetManifestResourceStream(StoredTableResource))
        {
            if (stored is not null && NumberingPlanTable.TryRead(stored, NumberingPlanTable.MetadataBuild) is { } table)
            {
                return (table, true);
            }
        }

        return (NumberingPlanTable.Build(Util), false);
    }

    private static string Validate(string e164)
    {
        try
        {
            var number = Util.Parse(e164, null);
            if (!Util.IsValidNumber(number) || !string.Equals(Util.Format(number, PhoneNumberFormat.E164), e164, StringComparison.Ordinal))
            {
                return "";
            }

            return Util.GetRegionCodeForNumber(number) ?? "";
        }
        catch (NumberParseException)
        {
            return "";
        }
    }
}
