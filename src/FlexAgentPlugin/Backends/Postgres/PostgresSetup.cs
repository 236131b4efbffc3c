using FlexAgentPlugin.Backends.DataProtection;
using FlexAgentPlugin.Backends.InProcess;
using FlexAgentPlugin.Backends.OAuthStore;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.State;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>
/// The shared store and signal for several instances (DATABASE_URL): PostgreSQL for the rows, NOTIFY/LISTEN for
/// wake-ups, lease-row locks for "once". The schema is created at start; a database that cannot be reached stops the
/// start with a sentence naming DATABASE_URL and the host (never the password).
/// </summary>
public static class PostgresSetup
{
    public static IServiceCollection AddPostgres(this IServiceCollection services)
    {
        services.AddOptions<PostgresOptions>()
            .BindEnvironment()
            .Validate(o => !o.IsConfigured || o.ConnectionString is not null,
                "DATABASE_URL must be a PostgreSQL connection string (Host=…;Database=…;Username=…) or a postgres://user:password@host:5432/database URL.")
            .ValidateOnStart();
        // The pool for statements. Nothing here changes a connection's session state, so a connection going back to the
        // pool is not reset (no DISCARD ALL before each next statement).
        services.AddSingleton(provider =>
        {
            var builder = provider.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString!;
            builder.NoResetOnClose = true;
            if (string.IsNullOrEmpty(builder.ApplicationName))
            {
                builder.ApplicationName = "flexagent";
            }

            return NpgsqlDataSource.Create(builder);
        });

        // The listening connection is outside the pool (and so never multiplexed, whatever DATABASE_URL asks): it changes
        // session state (LISTEN) and lives as long as the instance.
        services.AddKeyedSingleton(PostgresSignals.ListenerName, (provider, _) =>
        {
            var builder = provider.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString!;
            builder.Pooling = false;
            builder.Multiplexing = false;
            builder.ApplicationName = PostgresSignals.ListenerName;
            return NpgsqlDataSource.Create(builder);
        });
        services.AddSingleton<PostgresStore>();
        services.AddSingleton<IConversationStore>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IRoutingStore>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<ISendRecords>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IEventClaims>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<ICallTurns>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<ISharedSnapshots>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IRateWindows>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IPermitBatches>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IOAuthDatabase>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IAssistantWaits>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<IAssistEventLog>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddSingleton<InProcessSignals>();
        services.AddSingleton<InProcessKeyedLock>();
        services.AddSingleton<PostgresSignals>();
        services.AddSingleton<IConversationSignals>(provider => provider.GetRequiredService<PostgresSignals>());
        services.AddSingleton<IKeyedLock, PostgresKeyedLock>();
        services.AddHostedService<PostgresLifetime>();
        services.AddKeysInStore<PostgresStore>();
        services.AddHostedService(provider => provider.GetRequiredService<PostgresSignals>());
        services.AddHealthChecks().AddCheck<DatabaseCheck>("postgresql", tags: ["ready"]);
        return services;
    }

    /// <summary>Creates or migrates the schema before the server takes requests.</summary>
    private sealed class PostgresLifetime(PostgresStore store, IOptions<PostgresOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                await store.InitializeAsync(cancellationToken);
            }
            catch (Exception error) when (error is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                var reason = error is PostgresException postgres ? postgres.MessageText : error.Message;
                throw new StartFailureException($"DATABASE_URL's database at {options.Value.Where} cannot be used ({reason.TrimEnd('.')}); check the host, the database and the credentials.");
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class DatabaseCheck(IConversationStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await store.IsReachableAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("PostgreSQL cannot be reached.");
    }
}
