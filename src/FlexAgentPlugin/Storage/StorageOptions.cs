namespace FlexAgentPlugin.Storage;

/// <summary>Where the SQLite database that maps users to conversations lives.</summary>
public sealed class StorageOptions
{
    [ConfigurationKeyName("DATABASE_PATH")]
    public string DatabasePath { get; set; } = Path.Combine("data", "convs.db");
}
