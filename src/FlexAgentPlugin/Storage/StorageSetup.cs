using FlexAgentPlugin.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FlexAgentPlugin.Storage;

/// <summary>SQLite storage: options, the store, and schema creation before the server takes requests.</summary>
public static class StorageSetup
{
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindEnvironment()
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath) && o.DatabasePath.IndexOfAny(Path.GetInvalidPathChars()) < 0,
                "DATABASE_PATH must be a file path such as data/convs.db.")
            .ValidateOnStart();
        services.AddSingleton<ConversationStore>();
        services.AddHostedService<StorageLifetime>();
        services.AddHealthChecks().AddCheck<DatabaseCheck>("sqlite", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Creates the schema during start-up, so the first request never races it, and checkpoints the write-ahead
    /// log once the server has stopped (after the last request), leaving a self-contained database file.
    /// </summary>
    private sealed class StorageLifetime(ConversationStore store, IHostApplicationLifetime lifetime) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken);
            lifetime.ApplicationStopped.Register(store.Checkpoint);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class DatabaseCheck(ConversationStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await store.IsReachableAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The SQLite database at DATABASE_PATH cannot be read.");
    }
}
