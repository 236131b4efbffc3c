using FlexAgentPlugin.Backends.DataProtection;
using FlexAgentPlugin.Backends.OAuthStore;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>The embedded store: SQLite at DATABASE_PATH, its schema created before the server takes requests.</summary>
public static class SqliteSetup
{
    public static IServiceCollection AddSqliteStore(this IServiceCollection services)
    {
        services.AddOptions<SqliteOptions>()
            .BindEnvironment()
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath) && o.DatabasePath.IndexOfAny(Path.GetInvalidPathChars()) < 0,
                "DATABASE_PATH must be a file path such as data/convs.db.")
            .ValidateOnStart();
        services.AddSingleton<SqliteStore>();
        services.AddSingleton<IConversationStore>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<IRoutingStore>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<ISendRecords>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<IEventClaims>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<ISharedSnapshots>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<IOAuthDatabase>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<ICallTurns>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAssistantWaits>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAssistEventLog>(provider => provider.GetRequiredService<SqliteStore>());
        services.AddHostedService<SqliteLifetime>();
        services.AddKeysInStore<SqliteStore>();
        services.AddHealthChecks().AddCheck<DatabaseCheck>("sqlite", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Creates the schema during start-up, so the first request never races it (a database that cannot be opened stops
    /// the start with a sentence naming DATABASE_PATH), and checkpoints the write-ahead log once the server has stopped
    /// (after the last request and what was recorded beside it), leaving a self-contained database file.
    /// </summary>
    private sealed class SqliteLifetime(SqliteStore store, AssistantPresence presence, IHostApplicationLifetime lifetime) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (Directory.Exists(store.DatabasePath))
            {
                throw new StartFailureException($"DATABASE_PATH must name a file, but {store.DatabasePath} is a folder; set it to e.g. {Path.Combine(store.DatabasePath, "convs.db")}.");
            }

            try
            {
                await store.InitializeAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                throw new StartFailureException($"DATABASE_PATH ({store.DatabasePath}) cannot be opened for writing ({ex.Message.TrimEnd('.')}); set it to a file in a folder this server may write to.");
            }

            lifetime.ApplicationStopped.Register(() =>
            {
                // The last requests' recordings beside their waits are written first, so none lands after the checkpoint.
                presence.UnderWayAsync().Wait(TimeSpan.FromSeconds(5));
                store.Checkpoint();
            });
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class DatabaseCheck(IConversationStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await store.IsReachableAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database cannot be read.");
    }
}
