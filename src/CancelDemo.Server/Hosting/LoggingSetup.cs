using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Settings.Configuration;
using Serilog.Sinks.SystemConsole.Themes;

namespace CancelDemo.Server.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// Serilog (Serilog.AspNetCore) as the only logger factory: levels and any further sinks come from section
    /// "Serilog", sinks registered as services are added too (the tests capture events that way), and the console
    /// sink with the seed-like template is configured by section "ConsoleLog". With ConsoleLog:Async (the default)
    /// a request only queues its line for Serilog.Sinks.Async's background writer, which waits for room when the
    /// queue is full: nothing is dropped. Microsoft.Extensions.Logging's own filters (Logging:LogLevel) do not apply.
    /// With <paramref name="writeToProviders"/> (OpenTelemetry on) each event also goes to the logger providers, as
    /// OpenTelemetry's log records.
    /// </summary>
    public static IServiceCollection AddCancelDemoLogging(this IServiceCollection services, bool writeToProviders = false)
    {
        services.AddOptions<ConsoleLogOptions>().BindConfiguration(ConsoleLogOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConsoleLogOptions>, ValidateConsoleLogOptions>();
        // preserveStaticLogger: each host owns (and disposes) its own logger; Log.Logger is never touched.
        return services.AddSerilog((provider, logger) =>
        {
            logger.ReadFrom.Configuration(provider.GetRequiredService<IConfiguration>(), ReaderOptions).ReadFrom.Services(provider);
            // A listener's address in use is reported by Program in one line (StartupErrors.CannotListen), not as the
            // host's "Hosting failed to start" with a stack trace.
            logger.Filter.ByExcluding(e => e.Exception is IOException { InnerException: AddressInUseException });
            var console = provider.GetRequiredService<IOptions<ConsoleLogOptions>>().Value;
            if (console.Enabled && console.Async)
            {
                logger.WriteTo.Async(sink => sink.Console(outputTemplate: Defaults.LogTemplate, theme: ConsoleTheme.None),
                    bufferSize: console.QueueSize, blockWhenFull: true);
            }
            else if (console.Enabled)
            {
                logger.WriteTo.Console(outputTemplate: Defaults.LogTemplate, theme: ConsoleTheme.None);
            }
        }, preserveStaticLogger: true, writeToProviders: writeToProviders);
    }

    /// <summary>The sink assemblies section "Serilog" may name (Console, Async), without scanning every loaded assembly.</summary>
    private static ConfigurationReaderOptions ReaderOptions { get; } =
        new(typeof(ConsoleLoggerConfigurationExtensions).Assembly, typeof(LoggerConfigurationAsyncExtensions).Assembly);
}

/// <summary>Configuration section "ConsoleLog": the console sink.</summary>
public sealed class ConsoleLogOptions
{
    public const string Section = "ConsoleLog";
    public const int MaxQueueSize = 1_000_000;

    /// <summary>Write log lines to the console.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Queue lines for a background writer (Serilog.Sinks.Async) instead of writing them on the request's thread.</summary>
    public bool Async { get; set; } = true;

    /// <summary>Lines the queue holds before logging waits for room.</summary>
    public int QueueSize { get; set; } = 10_000;
}

public sealed class ValidateConsoleLogOptions : IValidateOptions<ConsoleLogOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleLogOptions options) =>
        options.QueueSize is < 1 or > ConsoleLogOptions.MaxQueueSize
            ? ValidateOptionsResult.Fail(SettingsCheck.OutOfRange($"{ConsoleLogOptions.Section}:{nameof(options.QueueSize)}", options.QueueSize, 1, ConsoleLogOptions.MaxQueueSize))
            : ValidateOptionsResult.Success;
}
