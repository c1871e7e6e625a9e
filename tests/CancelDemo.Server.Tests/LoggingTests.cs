using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CancelDemo.Server.Tests;

/// <summary>The server's logging survives what a log event can do to it.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task AnEventWhoseRenderingThrowsDoesNotStopLoggingNorTheServer()
    {
        // Disposed only once logging is known to work: disposing flushes the log, which a dead writer never does.
        var server = new InProcessServer();
        using var client = server.CreateClient();
        var logger = server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CancelDemo.Tests.Logging");

        // "Q" is no format of an int: rendering this event throws FormatException in whatever writes it.
#pragma warning disable CA2254, CA1848, CA1873 // the template is the point of the test
        logger.LogInformation("A value that cannot be formatted: {Value:Q}", 5);
        var more = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                logger.LogInformation("Line {Line} after the bad one", i);
            }
        });
#pragma warning restore CA2254, CA1848, CA1873
        // If the writer died, its bounded queue fills and every thread that logs blocks.
        await more.WaitAsync(TimeSpan.FromSeconds(60));
        using var health = await client.GetAsync("/healthz").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
