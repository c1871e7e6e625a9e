using System.Net;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>A host stopping with requests in flight answers them 503 and waits for their handlers.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task ShutdownWithRequestsInFlightAnswers503AndWaitsForTheHandlers()
    {
        var server = new CancelDemoServer();
        var ledger = server.Ledger;
        var id = NewId("shutdown");
        using var client = server.CreateClient(Transport.Http1);

        var call = client.SendAsync(Get("/http1?iterations=100&stepMs=100", id));
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);
        var stopping = server.DisposeAsync().AsTask();

        using var response = await call.DefaultTimeout();
        await stopping.DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var entry = ledger.Find(id)!;
        Assert.Equal(RequestOutcome.Shutdown, entry.Outcome);
        Assert.Equal(503, entry.StatusCode);
        Assert.NotNull(entry.EndedAt); // the host did not exit with the handler still running
        Assert.InRange(entry.IterationsCompleted, 1, 99);
    }
}
