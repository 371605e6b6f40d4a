namespace OptOutGate.Server.Tenancy;

/// <summary>The names of <see cref="ApiRoles"/> as configuration and error messages spell them: check, mo, admin, replica, read.</summary>
internal static class ApiRoleNames
{
    private static readonly (ApiRoles Role, string Name)[] s_names =
    [
        (ApiRoles.Check, "check"),
        (ApiRoles.Mo, "mo"),
        (ApiRoles.Admin, "admin"),
        (ApiRoles.Replica, "replica"),
        (ApiRoles.Read, "read"),
    ];

    /// <summary>Every role name, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = Array.ConvertAll(s_names, n => n.Name);

    /// <summary>One role by name, ignoring case and surrounding spaces.</summary>
    public static bool TryParse(string? name, out ApiRoles role)
    {
        var trimmed = name.AsSpan().Trim();
        foreach (var (candidate, text) in s_names)
        {
            if (trimmed.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                role = candidate;
                return true;
            }
        }

        role = ApiRoles.None;
        return false;
    }

    /// <summary>"admin, read": the names of every role in <paramref name="roles"/>, or "none".</summary>
    public static string Format(ApiRoles roles, string separator = ", ")
    {
        var names = new List<string>(s_names.Length);
        foreach (var (role, name) in s_names)
        {
            if ((roles & role) != 0)
            {
                names.Add(name);
            }
        }

        return names.Count == 0 ? "none" : string.Join(separator, names);
    }
}
