namespace FlexAgentPlugin.Hosting.Health;

/// <summary>
/// <c>GET /healthz</c>: the process is up and serving (liveness, Docker's HEALTHCHECK). <c>GET /readyz</c>: it can
/// do its work: SQLite answers (settings were validated at start, or it would not be running).
/// </summary>
public static class HealthEndpoints
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks();
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
