using System.Reflection;

namespace FlexAgentPlugin.Configuration;

/// <summary>
/// The names this server reads as settings, so a misspelt name in <c>.env</c> can be pointed out at start instead of
/// being ignored in silence. They come from the options classes (each property's <see cref="ConfigurationKeyNameAttribute"/>)
/// and from the few names read before options exist, which their readers publish.
/// </summary>
public static class SettingNames
{
    /// <summary>
    /// Names read by others from the same place: the listening address in the environment's form (the server maps it
    /// from .env too), OpenTelemetry's SDK, Npgsql's password, and docker-compose.yml's own variables.
    /// </summary>
    public static readonly IReadOnlyList<string> ReadByOthers =
        ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "URLS", "HTTP_PORTS", "HTTPS_PORTS", "PGPASSWORD", "POSTGRES_PASSWORD", "PUBLIC_HOST"];

    /// <summary>Every <see cref="ConfigurationKeyNameAttribute"/> name in <paramref name="assemblies"/>, with <paramref name="others"/>.</summary>
    public static IReadOnlySet<string> Known(IEnumerable<Assembly> assemblies, IEnumerable<string> others) =>
        assemblies
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(property => property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>()
            .Concat(others)
            .Concat(ReadByOthers)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True for a name the server or its libraries read: a known name, a configuration section in the environment's
    /// form (<c>Logging__LogLevel__Default</c>) or a standard <c>OTEL_</c> variable.
    /// </summary>
    public static bool IsKnown(string name, IReadOnlySet<string> known) =>
        known.Contains(name)
        || name.Contains("__", StringComparison.Ordinal)
        || name.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase);

    /// <summary>The known name nearest to <paramref name="name"/> (fewest edits), when it is near enough to be a slip.</summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        var upper = name.ToUpperInvariant();
        var (best, distance) = known
            .Select(candidate => (Candidate: candidate, Distance: Distance(upper, candidate.ToUpperInvariant())))
            .OrderBy(scored => scored.Distance)
            .ThenBy(scored => scored.Candidate, StringComparer.Ordinal)
            .FirstOrDefault();
        return best is not null && distance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
