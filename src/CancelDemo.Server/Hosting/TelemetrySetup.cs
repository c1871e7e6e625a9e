using CancelDemo.Server.Diagnostics;
using CancelDemo.Server.Kestrel;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CancelDemo.Server.Hosting;

/// <summary>Configuration section "Telemetry": what OpenTelemetry exports, when it is on.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// ASP.NET Core's own span tags (.NET 10 leaves them to the instrumentation unless the AppContext switch
    /// Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData is false; this sets that switch).
    /// </summary>
    public bool AspNetCoreTags { get; set; }
}

/// <summary>Where OpenTelemetry exports, as the banner tells it; a service only when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
public sealed record TelemetryExport(Uri Endpoint, string Protocol, string ServiceName, bool AspNetCoreTags);

/// <summary>
/// OpenTelemetry, on only when the standard OTEL_EXPORTER_OTLP_ENDPOINT is set (environment or any configuration
/// source): traces (ASP.NET Core, HttpClient, Npgsql and the server's own "CancelDemo" source), metrics (ASP.NET
/// Core, HttpClient, Npgsql, the meters "CancelDemo" and "CancelDemo.AspNetCore") and logs, over OTLP. Unset, nothing
/// is registered: no provider, no listener, no exporter.
/// </summary>
public static class TelemetrySetup
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";
    public const string AspNetCoreSwitch = "Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData";

    /// <summary>The protocols OpenTelemetry's OTLP exporter speaks, by the names OTEL_EXPORTER_OTLP_PROTOCOL takes.</summary>
    public static IReadOnlyList<string> Protocols { get; } = ["grpc", "http/protobuf"];

    /// <summary>What will be exported, or null when OTEL_EXPORTER_OTLP_ENDPOINT is not set. The settings are checked already.</summary>
    public static TelemetryExport? Export(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[EndpointKey]))
        {
            return null;
        }
        var endpoint = new Uri(configuration[EndpointKey]!.Trim(), UriKind.Absolute);
        var protocol = string.IsNullOrWhiteSpace(configuration[ProtocolKey]) ? Protocols[0] : configuration[ProtocolKey]!.Trim().ToLowerInvariant();
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        return new TelemetryExport(endpoint, protocol, ServiceName(configuration), options.AspNetCoreTags);
    }

    /// <summary>OTEL_SERVICE_NAME, else canceldemo-PORT (the HTTP/1.1 listener's port), else canceldemo-PID for a port the OS picks.</summary>
    public static string ServiceName(IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration[ServiceNameKey]))
        {
            return configuration[ServiceNameKey]!.Trim();
        }
        return ListenerUrls.Parse(configuration[$"Kestrel:Endpoints:{Listeners.Http1}:Url"]) is { Port: > 0 } url
            ? $"canceldemo-{url.Port}"
            : $"canceldemo-{Environment.ProcessId}";
    }

    /// <summary>Adds OpenTelemetry when <paramref name="export"/> says where to; returns whether it did.</summary>
    public static bool AddCancelDemoTelemetry(this WebApplicationBuilder builder, TelemetryExport? export)
    {
        if (export is null)
        {
            return false;
        }
        // Read by ASP.NET Core's hosting diagnostics when the host starts, so it must be set before Build().
        AppContext.SetSwitch(AspNetCoreSwitch, !export.AspNetCoreTags);
        builder.Services.AddSingleton(export);
        // Serilog writes to the providers (writeToProviders): OpenTelemetry's must be the only one, or every line
        // would reach the console twice.
        builder.Logging.ClearProviders();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(export.ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(ServerActivities.SourceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(CancelDemoMetrics.MeterName, CancellationAuditTelemetry.MeterName, "Npgsql"))
            // The message as the console shows it (the template and its values are attributes beside it).
            .WithLogging(_ => { }, logging => logging.IncludeFormattedMessage = true)
            // Endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* settings, for every signal.
            .UseOtlpExporter();
        return true;
    }
}
