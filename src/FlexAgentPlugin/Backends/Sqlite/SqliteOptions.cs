namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>Where the embedded SQLite database lives.</summary>
public sealed class SqliteOptions
{
    [ConfigurationKeyName("DATABASE_PATH")]
    public string DatabasePath { get; set; } = Path.Combine("data", "convs.db");
}
