using Npgsql;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>The shared store for several instances: DATABASE_URL, a PostgreSQL connection string or a postgres:// URL.</summary>
public sealed class PostgresOptions
{
    [ConfigurationKeyName("DATABASE_URL")]
    public string? DatabaseUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(DatabaseUrl);

    /// <summary>The Npgsql connection string, or null when DATABASE_URL cannot be read as one.</summary>
    public NpgsqlConnectionStringBuilder? ConnectionString => Parse(DatabaseUrl);

    /// <summary>Where the database is, for messages: host, port and database, never the password.</summary>
    public string Where => ConnectionString is { } parsed ? $"{parsed.Host}:{parsed.Port}/{parsed.Database}" : "(unreadable)";

    public static NpgsqlConnectionStringBuilder? Parse(string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            if (!text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            {
                var builder = new NpgsqlConnectionStringBuilder(text);
                return string.IsNullOrEmpty(builder.Host) ? null : builder;
            }

            var uri = new Uri(text);
            var user = uri.UserInfo.Split(':', 2);
            var url = new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
                Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } database ? database : null,
                Username = user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : null,
                Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
            };
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                var name = Uri.UnescapeDataString(parts[0]);
                var setting = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
                url[name.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : name] = setting;
            }

            return string.IsNullOrEmpty(url.Host) ? null : url;
        }
        catch (Exception error) when (error is ArgumentException or UriFormatException or FormatException or KeyNotFoundException)
        {
            return null;
        }
    }
}
