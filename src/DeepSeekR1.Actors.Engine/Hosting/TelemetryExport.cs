using Akka.Configuration;
using DeepSeekR1.Actors.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace DeepSeekR1.Actors.Engine.Hosting;

/// <summary>
/// Exports <see cref="EngineMetrics"/> over OTLP (HTTP/protobuf, to <c>ENDPOINT/v1/metrics</c>) every
/// <c>r1.telemetry.export-interval</c> while a node runs, when <c>r1.telemetry.otlp-endpoint</c> is set (an OpenTelemetry
/// collector, Prometheus's OTLP receiver...). Off by default: an embedded run sends nothing anywhere.
/// </summary>
public static class TelemetryExport
{
    /// <summary>Starts the exporter <paramref name="config"/> asks for, or returns null; disposing it sends what is left.</summary>
    /// <exception cref="ConfigException">An endpoint that is not an http(s) URL, or a non-positive interval.</exception>
    public static IDisposable? Start(Config config)
    {
        string endpoint = config.GetString("r1.telemetry.otlp-endpoint", "");
        if (endpoint.Length == 0) return null;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ConfigException($"r1.telemetry.otlp-endpoint: '{endpoint}' is not an http(s) URL (e.g. http://127.0.0.1:4318)");
        var interval = config.GetTimeSpan("r1.telemetry.export-interval", null, allowInfinite: false);
        if (interval <= TimeSpan.Zero) throw new ConfigException("r1.telemetry.export-interval must be positive");
        return Sdk.CreateMeterProviderBuilder()
            .AddMeter(EngineMetrics.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(uri, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)interval.TotalMilliseconds;
            })
            .Build();
    }
}
