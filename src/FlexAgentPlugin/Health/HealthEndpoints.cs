namespace FlexAgentPlugin.Health;

/// <summary><c>GET /healthz</c>: the process is up and serving (used by Docker's HEALTHCHECK).</summary>
public static class HealthEndpoints
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks();
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz");
        return app;
    }
}
