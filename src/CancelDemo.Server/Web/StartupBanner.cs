using CancelDemo.Server.Hosting;
using CancelDemo.Server.Kestrel;

namespace CancelDemo.Server.Web;

/// <summary>Once the listeners are bound: where each is, and how to trust the TLS one.</summary>
public static partial class StartupBanner
{
    public static WebApplication LogListenersOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var listeners = app.Services.GetRequiredService<Listeners>();
            var certificate = app.Services.GetRequiredService<LocalhostCertificate>();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CancelDemo.Server");
            foreach (var name in listeners.Configured)
            {
                LogListener(logger, name, listeners.Url(name)!, listeners.Protocols(name)!.ToString()!);
            }
            if (certificate.IsCreated && listeners.Url(Listeners.Https) is { } https)
            {
                LogTrust(logger, $"curl --http2 --cacert {certificate.PemPath} {https}http2");
            }
            if (app.Services.GetService<TelemetryExport>() is { } export)
            {
                // The switch as the runtime holds it now, not as it was asked for.
                var suppressed = !AppContext.TryGetSwitch(TelemetrySetup.AspNetCoreSwitch, out var value) || value;
                LogTelemetry(logger, export.Endpoint, export.Protocol, export.ServiceName, suppressed ? "off" : "on");
            }
        });
        return app;
    }

    [LoggerMessage(30, LogLevel.Information, "{Name} listening on {Url} ({Protocols})")]
    private static partial void LogListener(ILogger logger, string name, Uri url, string protocols);

    [LoggerMessage(31, LogLevel.Information, "HTTPS uses a self-signed localhost certificate; trust it with: {Command}")]
    private static partial void LogTrust(ILogger logger, string command);

    [LoggerMessage(32, LogLevel.Information, "OpenTelemetry: traces, metrics and logs go to {Endpoint} ({Protocol}) as service {ServiceName}; ASP.NET Core's own span tags {AspNetCoreTags}")]
    private static partial void LogTelemetry(ILogger logger, Uri endpoint, string protocol, string serviceName, string aspNetCoreTags);
}
