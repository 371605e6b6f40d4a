using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using OptOutGate.Engine.Recipients;
using PhoneNumbers;
using Xunit.Abstractions;

namespace OptOutGate.Engine.Tests.Recipients;

public sealed class NumberingPlanTests(ITestOutputHelper output)
{
    // (number, expected country; "" = no numbering plan allows it). At least one valid and one invalid number for each
    // of 24 countries, plus the numbers of the reproduction.
    public static TheoryData<string, string> Numbers => new()
    {
        { "+14155552671", "US" }, { "+12025550123", "US" }, { "+10005550000", "" }, { "+14151550123", "" }, { "+1415555267", "" },
        { "+16135550123", "CA" }, { "+16130550123", "" },
        { "+442079460958", "GB" }, { "+447400123456", "GB" }, { "+44740012345", "" }, { "+4407400123456", "" },
        { "+4915123456789", "DE" }, { "+4930123456", "DE" }, { "+490301234567", "" },
        { "+33612345678", "FR" }, { "+3361234567", "" }, { "+33012345678", "" },
        { "+393123456789", "IT" }, { "+390612345678", "IT" }, { "+39312", "" },
        { "+34612345678", "ES" }, { "+3461234567", "" },
        { "+31612345678", "NL" }, { "+3161234567", "" },
        { "+32470123456", "BE" }, { "+3247012345", "" },
        { "+41781234567", "CH" }, { "+4178123456", "" },
        { "+43664123456", "AT" }, { "+430664123456", "" },
        { "+4741234567", "NO" }, { "+474123456", "" },
        { "+46701234567", "SE" }, { "+4670123", "" },
        { "+4520123456", "DK" }, { "+452012345", "" },
        { "+48512345678", "PL" }, { "+4851234567", "" },
        { "+351912345678", "PT" }, { "+35191234567", "" },
        { "+61412345678", "AU" }, { "+6141234567", "" },
        { "+64211234567", "NZ" }, { "+640211234567", "" },
        { "+819012345678", "JP" }, { "+8190123456789", "" },
        { "+8613812345678", "CN" }, { "+861381234567", "" },
        { "+919876543210", "IN" }, { "+91987654321", "" },
        { "+5511961234567", "BR" }, { "+551196123456", "" },
        { "+525512345678", "MX" }, { "+52551234567", "" },
        { "+27821234567", "ZA" }, { "+2782123", "" },
        { "+971501234567", "AE" }, { "+97150123456", "" },
        { "+6591234567", "SG" }, { "+659123456", "" },
        { "+999123456789", "" }, { "+14155550", "" }, { "+12345678", "" }, { "+80012345678", "001" },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void ChecksAndWritesAgreeWithTheNumberingPlan(string number, string country)
    {
        Assert.Equal(country.Length != 0, NumberingPlan.TryValidate(number, out var found));
        Assert.Equal(country, found);
        Assert.True(E164.TryParse(number, out var parsed) || country.Length == 0);
        if (E164.TryParse(number, out parsed))
        {
            Assert.Equal(country.Length != 0, NumberingPlan.Table.IsValid(parsed));
        }
    }

    [Fact]
    public void TheTableAcceptsExactlyWhatLibphonenumberAcceptsAroundEveryRegionsNumbers()
    {
        var util = PhoneNumberUtil.GetInstance();
        var random = new Random(20261205);
        var checkedNumbers = 0;
        var disagreements = new List<string>();
        var regions = util.GetSupportedRegions().Order().ToList();
        foreach (var region in regions)
        {
            foreach (var type in Enum.GetValues<PhoneNumberType>())
            {
                var example = util.GetExampleNumberForType(region, type);
                if (example is null)
                {
                    continue;
                }

                var seed = util.Format(example, PhoneNumberFormat.E164);
                foreach (var candidate in Variants(seed, random))
                {
                    if (!E164.TryParse(candidate, out var number))
                    {
                        continue;
                    }

                    checkedNumbers++;
                    var oracle = Oracle(util, candidate);
                    var valid = NumberingPlan.TryValidate(candidate, out var country);
                    if (oracle.Length != 0 != NumberingPlan.Table.IsValid(number) || oracle.Length != 0 != valid || oracle != country)
                    {
                        disagreements.Add($"{candidate} ({region} {type}): libphonenumber '{oracle}', table {NumberingPlan.Table.IsValid(number)}, write time '{country}'");
                    }
                }
            }
        }

        output.WriteLine($"{checkedNumbers} numbers around {regions.Count} regions' examples; table of {NumberingPlan.Table.StateCount} states");
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements.Take(40)));
    }

    [Fact]
    public void UnassignedCallingCodesAndImpossibleLengthsAreInvalid()
    {
        foreach (var number in (string[])["+999123456789", "+2591234567890", "+8091234567", "+1415555267100", "+1212555"])
        {
            Assert.True(E164.TryParse(number, out var parsed) ? !NumberingPlan.Table.IsValid(parsed) : true, number);
            Assert.False(NumberingPlan.TryValidate(number, out _), number);
        }
    }

    /// <summary>libphonenumber alone: valid and written exactly as its E.164 format; the region, else "".</summary>
    /// <summary>
    /// KeepValid (recipients_e164: four numbers walked side by side from their integer digits) answers each number as
    /// the text path does for its E.164 text, whatever the batch's length (the last one to three numbers are walked
    /// apart) and whatever mix of valid, invalid, too short and too long numbers it holds.
    /// </summary>
    [Fact]
    public void KeepValid_AnswersEachNumberAsTheTextPathDoes()
    {
        var seeds = Numbers.Select(static row => ulong.Parse(((string)row[0])[1..], CultureInfo.InvariantCulture)).ToArray();
        var numbers = Gen.OneOf(
            Gen.Elements(seeds),
            Gen.Elements(seeds).Zip(Gen.Choose(0, 14)).Zip(Gen.Choose(0, 9)).Select(static t => ChangeDigit(t.Item1.Item1, t.Item1.Item2, t.Item2)),
            Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(0, int.MaxValue)).Select(static t => (((ulong)t.Item1 << 31) | (uint)t.Item2) % 10_000_000_000_000_000),
            Gen.Elements(0UL, 1UL, 9_999_999UL, 10_000_000UL, 99_999_999UL, 100_000_000UL, E164.MaxValue, E164.MaxValue + 1, ulong.MaxValue, 14155552671UL),
            // Every length of the digits above the last eight (1-7: 9-15-digit numbers), on both sides of the jump
            // table's reach (13 digits), and 13-digit mobiles that are valid (Brazil's +55 AA 9, China's +86 13x).
            Gen.Choose(0, 6).SelectMany(static d => Gen.Choose(Pow10(d), Pow10(d + 1) - 1)).Zip(Gen.Choose(0, 99_999_999))
                .Select(static t => ((ulong)t.Item1 * 100_000_000UL) + (ulong)t.Item2),
            Gen.Elements(55119UL, 55219UL, 55619UL, 55919UL, 86130UL, 86139UL, 86180UL).Zip(Gen.Choose(0, 99_999_999))
                .Select(static t => (t.Item1 * 100_000_000UL) + (ulong)t.Item2));
        Prop.ForAll(Arb.From(Gen.ArrayOf(numbers)), static batch =>
        {
            var kept = batch.ToArray();
            NumberingPlan.Table.KeepValid(kept);
            for (var i = 0; i < batch.Length; i++)
            {
                var expected = E164.TryParseValid("+" + batch[i].ToString(CultureInfo.InvariantCulture), NumberingPlan.Table, out var parsed) ? parsed : 0;
                if (kept[i] != expected)
                {
                    return false;
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));

        static int Pow10(int digits) => (int)Math.Pow(10, digits);

        static ulong ChangeDigit(ulong number, int position, int digit)
        {
            var text = number.ToString(CultureInfo.InvariantCulture).ToCharArray();
            text[position % text.Length] = (char)('0' + digit);
            return ulong.Parse(text, CultureInfo.InvariantCulture);
        }
    }

    private static string Oracle(PhoneNumberUtil util, string e164)
    {
        try
        {
            var parsed = util.Parse(e164, null);
            return util.IsValidNumber(parsed) && util.Format(parsed, PhoneNumberFormat.E164) == e164 ? util.GetRegionCodeForNumber(parsed) : "";
        }
        catch (NumberParseException)
        {
            return "";
        }
    }

    private static IEnumerable<string> Variants(string seed, Random random)
    {
        yield return seed;
        var digits = seed[1..];
        for (var i = 0; i < 12; i++)
        {
            var chars = digits.ToCharArray();
            var position = random.Next(chars.Length);
            chars[position] = (char)('0' + random.Next(10));
            yield return "+" + new string(chars);
        }

        yield return seed[..^1];
        yield return seed + random.Next(10).ToString(CultureInfo.InvariantCulture);
        yield return "+" + digits[..^2];
    }
}
