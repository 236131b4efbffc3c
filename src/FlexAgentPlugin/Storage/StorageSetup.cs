using FlexAgentPlugin.Configuration;

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
        services.AddHostedService<SchemaInitializer>();
        return services;
    }

    /// <summary>Creates the schema during start-up, so the first request never races it.</summary>
    private sealed class SchemaInitializer(ConversationStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
