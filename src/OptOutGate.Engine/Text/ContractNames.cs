using System.Collections.Concurrent;
using Google.Protobuf.Reflection;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Text;

/// <summary>
/// Enum values as CSV exports write them: the proto value name without its prefix ("OPT_OUT", "MO_KEYWORD",
/// admin_optouts.proto CsvChunk), and SMS types joined by "|".
/// </summary>
internal static class ContractNames
{
    private static readonly ConcurrentDictionary<(string Enum, int Value), string> Cache = new();

    public static string Of(ChangeAction value) => Short(CommonReflection.Descriptor, "ChangeAction", "CHANGE_ACTION_", (int)value);

    public static string Of(Scope value) => Short(CommonReflection.Descriptor, "Scope", "SCOPE_", (int)value);

    public static string Of(Source value) => Short(CommonReflection.Descriptor, "Source", "SOURCE_", (int)value);

    public static string Of(EntryKind value) => Short(CommonReflection.Descriptor, "EntryKind", "ENTRY_KIND_", (int)value);

    public static string Of(SmsType value) => Short(CommonReflection.Descriptor, "SmsType", "SMS_TYPE_", (int)value);

    public static string Of(KeywordEffect value) => Short(ChangesReflection.Descriptor, "KeywordEffect", "KEYWORD_EFFECT_", (int)value);

    public static string Of(ImportLineResult value) => Short(AdminOptoutsReflection.Descriptor, "ImportLineResult", "IMPORT_LINE_RESULT_", (int)value);

    public static string Of(Verdict value) => Short(CommonReflection.Descriptor, "Verdict", "VERDICT_", (int)value);

    /// <summary>The full value name as the contract spells it ("SMS_TYPE_MARKETING"), for error messages and explanations.</summary>
    public static string Full(SmsType value) => FullName(CommonReflection.Descriptor, "SmsType", (int)value);

    public static string Full(Source value) => FullName(CommonReflection.Descriptor, "Source", (int)value);

    public static string Full(KeywordKind value) => FullName(AdminConfigReflection.Descriptor, "KeywordKind", (int)value);

    public static string Full(MatchMode value) => FullName(AdminConfigReflection.Descriptor, "MatchMode", (int)value);

    private static string FullName(FileDescriptor file, string enumName, int value) =>
        file.FindTypeByName<EnumDescriptor>(enumName)?.FindValueByNumber(value)?.Name
        ?? value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Join(IEnumerable<SmsType> types) => string.Join('|', types.Select(Of));

    private static string Short(FileDescriptor file, string enumName, string prefix, int value) =>
        Cache.GetOrAdd((enumName, value), static (key, state) =>
        {
            var name = state.File.FindTypeByName<EnumDescriptor>(key.Enum)?.FindValueByNumber(key.Value)?.Name;
            return name is null ? key.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : name.StartsWith(state.Prefix, StringComparison.Ordinal) ? name[state.Prefix.Length..] : name;
        }, (File: file, Prefix: prefix));
}
