using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>HTTP/1.1 has no per-request cancel: the client closing its socket is the signal.</summary>
public sealed class ConnectionCloseTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    [Theory]
    [InlineData("FIN")]
    [InlineData("RST")]
    public async Task ClosingTheSocketMidRequestEndsTheWork(string close)
    {
        var id = NewId(close);
        using var client = await RawHttp1.ConnectAsync(server);
        await client.GetAsync("/http1?iterations=50&stepMs=100", id);
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);

        if (close == "FIN")
        {
            client.CloseWithFin();
        }
        else
        {
            client.CloseWithReset();
        }

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(499, entry.StatusCode);
        Assert.InRange(entry.IterationsCompleted, 1, 3);
        Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);
        Assert.Equal(close, entry.AbortSignal); // how the server was told, as its socket transport saw it
    }

    [Fact]
    public async Task ClientClosingRightAfterAFullResponseLeavesTheEntryCompleted()
    {
        var id = NewId("close-after");
        using var client = await RawHttp1.ConnectAsync(server);
        await client.GetAsync("/http1?iterations=2&stepMs=20", id);

        var response = await client.ReadUntilAsync("0\r\n\r\n"); // the chunked body's end
        client.CloseWithReset();

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("Task completed successfully", response, StringComparison.Ordinal);
        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.Completed, entry.Outcome);
        Assert.Equal(200, entry.StatusCode);
        Assert.Null(entry.AbortObservedAt);
    }
}
