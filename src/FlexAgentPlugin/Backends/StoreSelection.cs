using FlexAgentPlugin.Backends.InProcess;
using FlexAgentPlugin.Backends.Postgres;
using FlexAgentPlugin.Backends.Sqlite;
using FlexAgentPlugin.Configuration;

namespace FlexAgentPlugin.Backends;

/// <summary>Which store and signal the server runs on: PostgreSQL with DATABASE_URL (several instances), else embedded SQLite in one process.</summary>
public static class StoreSelection
{
    public static IServiceCollection AddStore(this IServiceCollection services, IConfiguration configuration) =>
        configuration.ReadEnvironment<PostgresOptions>().IsConfigured
            ? services.AddPostgres()
            : services.AddSqliteStore().AddInProcessCoordination();
}
