using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Formatting.Display;
using Serilog.Settings.Configuration;

namespace CancelDemo.Server.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// Serilog behind Microsoft.Extensions.Logging, wired through builder.Logging with the server's own bridge
    /// (<see cref="SerilogBridge"/>, in place of Serilog.Extensions.Logging; the project does not depend on
    /// Serilog.AspNetCore either). Levels and any further sinks come from section
    /// "Serilog"; the console sink with the seed-like template is the server's own (section "ConsoleLog").
    /// With ConsoleLog:Async (the default) a request only queues its line; one background loop formats and
    /// writes what has queued, a batch per write (<see cref="QueuedConsoleSink"/>), so a burst of aborts never
    /// waits on the console's lock nor pays a write per line. Nothing is dropped: when the queue is full,
    /// logging waits for room.
    /// </summary>
    public static WebApplicationBuilder AddCancelDemoLogging(this WebApplicationBuilder builder)
    {
        var console = builder.Configuration.GetSection(ConsoleLogOptions.Section).Get<ConsoleLogOptions>() ?? new ConsoleLogOptions();
        if (console.QueueSize is < 1 or > ConsoleLogOptions.MaxQueueSize)
        {
            // Read before the host exists, so checked here rather than by the options' start-up validation.
            throw new OptionsValidationException(ConsoleLogOptions.Section, typeof(ConsoleLogOptions),
                [$"ConsoleLog:QueueSize must be between 1 and {ConsoleLogOptions.MaxQueueSize} (it is {console.QueueSize})."]);
        }
        var configuration = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration, new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly));
        if (console.Enabled && console.Async)
        {
            configuration.WriteTo.Sink(new QueuedConsoleSink(new MessageTemplateTextFormatter(Defaults.LogTemplate), Console.OpenStandardOutput(), console.QueueSize));
        }
        else if (console.Enabled)
        {
            configuration.WriteTo.Console(outputTemplate: Defaults.LogTemplate);
        }
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        var logger = configuration.CreateLogger();
        builder.Logging.Services.AddSingleton<ILoggerProvider>(_ => new SerilogBridge(logger));
        return builder;
    }
}

/// <summary>Configuration section "ConsoleLog": the console sink.</summary>
public sealed class ConsoleLogOptions
{
    public const string Section = "ConsoleLog";
    public const int MaxQueueSize = 1_000_000;

    /// <summary>Write log lines to the console.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Queue lines for a background writer (a batch per write) instead of writing them on the request's thread.</summary>
    public bool Async { get; set; } = true;

    /// <summary>Lines the queue holds before logging waits for room.</summary>
    public int QueueSize { get; set; } = 10_000;
}
