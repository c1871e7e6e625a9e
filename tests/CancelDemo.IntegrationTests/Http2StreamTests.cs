using System.Net;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>HTTP/2 cancels one stream (RST_STREAM), not the connection.</summary>
public sealed class Http2StreamTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    [Theory]
    [InlineData(Transport.Https)]
    [InlineData(Transport.H2c)]
    public async Task ClientResetOnHttp2LeavesSiblingStreamRunning(Transport transport)
    {
        var siblingId = NewId("sibling");
        var victimId = NewId("victim");
        using var client = server.CreateClient(transport, new SocketsHttpHandler { EnableMultipleHttp2Connections = false });
        using var cts = new CancellationTokenSource();

        var sibling = client.SendAsync(Get("/http2?iterations=8&stepMs=150", siblingId));
        await server.WaitForEntryAsync(siblingId, e => e.IterationsCompleted >= 1);
        var victim = client.SendAsync(Get("/http2?iterations=50&stepMs=150", victimId), cts.Token);
        await server.WaitForEntryAsync(victimId, e => e.IterationsCompleted >= 1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => victim);
        using var response = await sibling.DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var victimEntry = await server.WaitForEndAsync(victimId);
        var siblingEntry = await server.WaitForEndAsync(siblingId);
        Assert.Equal(RequestOutcome.ClientAborted, victimEntry.Outcome);
        Assert.Equal("RST_STREAM", victimEntry.AbortSignal);
        Assert.Equal(RequestOutcome.Completed, siblingEntry.Outcome);
        Assert.Equal(8, siblingEntry.IterationsCompleted);
        Assert.Equal(siblingEntry.ConnectionId, victimEntry.ConnectionId);
        Assert.True(victimEntry.EndedAt < siblingEntry.EndedAt, "the reset stream ended while its sibling ran on");
    }
}
