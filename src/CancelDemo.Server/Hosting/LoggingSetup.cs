using Serilog;
using Serilog.Settings.Configuration;

namespace CancelDemo.Server.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// Serilog behind Microsoft.Extensions.Logging, configured from section "Serilog", wired through
    /// builder.Logging with Serilog.Extensions.Logging (the project does not depend on Serilog.AspNetCore);
    /// levels are Serilog's to decide.
    /// </summary>
    public static WebApplicationBuilder AddCancelDemoLogging(this WebApplicationBuilder builder)
    {
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration, new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly))
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddSerilog(logger, dispose: true);
        return builder;
    }
}
