using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>How the OAuth rows keep what is not a string: lists and maps as JSON text, times as Unix milliseconds.</summary>
internal static class StoredValues
{
    public static string NewId() => Guid.NewGuid().ToString("n");

    public static ImmutableArray<string> Strings(string json) => [.. JsonSerializer.Deserialize<string[]>(json) ?? []];

    public static string Json(ImmutableArray<string> values) => JsonSerializer.Serialize(values.IsDefault ? [] : values.ToArray());

    public static ImmutableDictionary<string, string> Map(string json) =>
        (JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []).ToImmutableDictionary(StringComparer.Ordinal);

    public static string Json(ImmutableDictionary<string, string> values) => JsonSerializer.Serialize(values);

    public static ImmutableDictionary<string, JsonElement> Properties(string json) =>
        (JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? []).ToImmutableDictionary(StringComparer.Ordinal);

    public static string Json(ImmutableDictionary<string, JsonElement> values) => JsonSerializer.Serialize(values);

    public static long? Millis(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset? Time(long? millis) => millis is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;

    /// <summary>A string property of <paramref name="properties"/> (JSON text), or null.</summary>
    public static string? Property(string properties, string name) =>
        Properties(properties).TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A value the sign-in's store does not keep because this server never sets one.</summary>
    public static NotSupportedException NotKept(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The sign-in's store does not keep {what}: this server never sets any."));

    /// <summary>OpenIddict's LINQ members, which only its Entity Framework stores need; nothing in this server calls them.</summary>
    public static NotSupportedException NoQueries(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The sign-in's store answers no LINQ queries over {what}."));
}
