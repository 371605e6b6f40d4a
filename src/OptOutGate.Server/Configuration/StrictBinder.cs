using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace OptOutGate.Server.Configuration;

/// <summary>
/// Binds a configuration section onto an options object like <see cref="ConfigurationBinder"/>, but collects every
/// problem instead of throwing at the first: a value that does not convert to its property's type, and a key that
/// names no property (a typo would otherwise leave a setting at its default without a word).
/// </summary>
/// <remarks>
/// Hand-written because Microsoft.Extensions.Configuration.Binder stops at the first value it cannot convert (an
/// InvalidOperationException), so an operator would fix one setting per start; its
/// <c>BinderOptions.ErrorOnUnknownConfiguration</c> has the same one-at-a-time behaviour. Properties of simple types
/// (strings, numbers, booleans, enums, TimeSpan and their nullable forms) are converted here; nested options classes
/// are walked; anything else (dictionaries, lists) is left to the framework's binder, whose failure becomes one problem.
/// </remarks>
internal static class StrictBinder
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="target"/>; adds one line per problem to <paramref name="problems"/>.</summary>
    public static void Bind(IConfigurationSection section, object target, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(problems);
        var properties = target.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.GetIndexParameters().Length == 0)
            .ToDictionary(static p => p.Name, StringComparer.OrdinalIgnoreCase);

        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add($"{child.Path} is not a setting of OptOutGate (settings of {section.Path}: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            BindProperty(child, target, property, problems);
        }
    }

    private static void BindProperty(IConfigurationSection child, object target, PropertyInfo property, List<string> problems)
    {
        var type = property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (IsSimple(underlying))
        {
            if (!property.CanWrite)
            {
                problems.Add($"{child.Path} cannot be set.");
                return;
            }

            if (child.Value is null)
            {
                problems.Add($"{child.Path} must be a single value, not a section.");
                return;
            }

            if (TryConvert(child.Value, type, underlying, out var value))
            {
                property.SetValue(target, value);
            }
            else
            {
                problems.Add($"{child.Path} '{child.Value}' is not {Describe(underlying)}.");
            }

            return;
        }

        var current = property.GetValue(target);
        if (underlying.IsClass && current is not null && !IsCollection(underlying))
        {
            if (child.Value is not null && !child.GetChildren().Any())
            {
                problems.Add($"{child.Path} is a section of settings, not a single value.");
                return;
            }

            Bind(child, current, problems);
            return;
        }

        try
        {
            if (current is not null)
            {
                child.Bind(current);
            }
            else if (property.CanWrite)
            {
                property.SetValue(target, child.Get(type));
            }
        }
        catch (InvalidOperationException e)
        {
            problems.Add($"{child.Path}: {e.Message}");
        }
    }

    private static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri);

    private static bool IsCollection(Type type) => typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    private static bool TryConvert(string text, Type type, Type underlying, out object? value)
    {
        value = null;
        if (underlying != type && text.Length == 0)
        {
            // An empty value of a nullable setting means "not set".
            return true;
        }

        if (underlying == typeof(string))
        {
            value = text;
            return true;
        }

        if (underlying.IsEnum)
        {
            // Names only: Enum.TryParse would also take any number, even one that names no member.
            var name = text.Trim();
            if (name.Length > 0 && !char.IsAsciiDigit(name[0]) && name[0] != '-'
                && Enum.TryParse(underlying, name, ignoreCase: true, out var parsed) && Enum.IsDefined(underlying, parsed!))
            {
                value = parsed;
                return true;
            }

            return false;
        }

        try
        {
            value = TypeDescriptor.GetConverter(underlying).ConvertFromString(null, CultureInfo.InvariantCulture, text);
            return value is not null;
        }
#pragma warning disable CA1031 // TypeConverter wraps every parse failure in a plain Exception; any failure means "not convertible".
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
        _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) => "a whole number of 0 or more",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a time span ([d.]hh:mm:ss[.fff], for example 00:00:30)",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "a valid " + type.Name,
    };
}
