using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FlexAgentPlugin.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for operators: the server's own metrics (<see cref="ExchangeMetrics"/>), ASP.NET Core's and HttpClient's
/// metrics and traces, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the SDK reads the standard OTEL_*
/// variables: protocol, headers, service name). Without it nothing is collected or exported; the metrics still exist
/// for in-process listeners such as <c>dotnet-counters</c>.
/// </summary>
public static class TelemetrySetup
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.ReadEnvironment<TelemetryOptions>().IsOn)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("flexagent-plugin"))
            .WithMetrics(metrics => metrics.AddMeter(ExchangeMetrics.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return services;
    }
}
