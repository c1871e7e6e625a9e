using System.Collections.Concurrent;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Extensions.Logging;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>A client abort is normal traffic: Information logs, no errors, no stray exceptions.</summary>
public sealed class AbortHygieneTests
{
    [Fact]
    public async Task ClientAbortWritesNothingAboveInformationAndLeavesNoUnobservedTaskException()
    {
        var unobserved = new ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await using var server = new CancelDemoServer();
            foreach (var transport in TestData.Transports())
            {
                var id = NewId("hygiene");
                using var client = server.CreateClient(transport);
                var entry = await server.CancelMidRequestAsync(client, "/http1?iterations=50&stepMs=50", id, e => e.IterationsCompleted >= 1);
                Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            Assert.DoesNotContain(server.Logs.Events, e => e.Level >= LogLevel.Warning);
            var disconnects = server.Logs.Events.Where(e => e.Message.StartsWith("Client has disconnected. Stopping task.", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, disconnects.Count);
            Assert.All(disconnects, e => Assert.Equal(LogLevel.Information, e.Level));
            Assert.Contains(server.Logs.Events, e => e.Level == LogLevel.Information && e.Message.StartsWith("499 |", StringComparison.Ordinal));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
        Assert.Empty(unobserved);
    }
}
