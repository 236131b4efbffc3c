namespace FlexAgentPlugin.Hosting.Telemetry;

/// <summary>Where telemetry is exported: OTEL_EXPORTER_OTLP_ENDPOINT (the OpenTelemetry SDK reads the other OTEL_* variables itself).</summary>
public sealed class TelemetryOptions
{
    [ConfigurationKeyName(TelemetrySetup.EndpointVariable)]
    public string? Endpoint { get; set; }

    public bool IsOn => !string.IsNullOrWhiteSpace(Endpoint);
}
