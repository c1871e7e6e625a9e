using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// Seed 003 for .NET: every way HttpClient gives up, on HTTP/1.1, HTTP/2 over TLS and h2c, measured by
/// the probe's own scenarios against the real server. HTTP/1.1 closes the connection; HTTP/2 keeps it.
/// </summary>
public sealed class ClientCancellationMatrixTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    private const long MiB = 1024 * 1024;

    public static TheoryData<string, Transport> Matrix()
    {
        var data = new TheoryData<string, Transport>();
        foreach (var scenario in Scenarios.All)
        {
            foreach (var transport in Transports.All)
            {
                data.Add(scenario.Name, transport);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task ServerNoticesTheCancelStopsTheWorkAndTheConnectionFollowsTheProtocol(string name, Transport transport)
    {
        using var target = new ProbeTarget(server.ProbeSettings(transport));
        var runner = new ScenarioRunner(target);

        var result = await runner.RunAsync(Scenarios.Find(name)!, CancellationToken.None).DefaultTimeout();

        Assert.True(result.ServerNoticed, $"the server recorded {result.Outcome}: {result}");
        var entry = await server.WaitForEndAsync(result.RequestId);
        ClientMatrix.Record(".NET HttpClient", transport == Transport.Http1 ? "HTTP/1.1" : transport == Transport.Https ? "HTTP/2 over TLS" : "h2c",
            Scenarios.Find(name)!.Description, entry, entry.AbortObservedAt - TimeSpan.FromMilliseconds(result.CancelToNoticedMs ?? 0),
            $"{result.WorkAfterCancel} {result.Unit}", result.ConnectionReused switch { true => "kept", false => "closed", _ => "-" });
        Assert.Equal(transport.WireName(), result.ServerProtocol);
        Assert.InRange(result.AbortToStopMs!.Value, 0, 1000);
        // HTTP/1.1 has no per-request cancel: the client closes the connection. HTTP/2 resets one stream.
        Assert.Equal(transport != Transport.Http1, result.ConnectionReused);
        switch (name)
        {
            case "token" or "timeout" or "cancel-pending":
                Assert.InRange(result.WorkAfterCancel!.Value, 0, 1); // at most the step in progress
                break;
            case "download-wait":
                Assert.Equal(0, result.WorkTotal); // cancelled during the wait: nothing of the 100 MB is written
                break;
            case "download-body":
                Assert.InRange(result.WorkAfterCancel!.Value, 0, InFlightBound(transport));
                Assert.True(result.WorkTotal < 100 * MiB, "the server stopped well before the end of the body");
                break;
            case "stream" or "dispose-body":
                Assert.InRange(result.WorkAfterCancel!.Value, 0, 1);
                break;
        }
        if (name == "stream")
        {
            // Chunks went out on the schedule, one every 100 ms, not all at once: about ten in the first second. The
            // schedule is a chain of 100 ms delays, and each stretches on a busy machine (7 in one CI run), so the
            // lower bound only asks that the stream was really under way; the upper one that it did not run ahead.
            Assert.InRange(result.WorkTotal!.Value, 3, 13);
        }
    }

    /// <summary>
    /// What can be in flight when the client stops reading mid-body. HTTP/1.1: the server's socket send
    /// buffer (tcp_wmem max 4 MiB on Debian 12) plus the client's receive buffer (tcp_rmem max 32 MiB) plus
    /// Kestrel's pipes. HTTP/2: the client's stream flow-control window, which SocketsHttpHandler grows
    /// to at most 16 MiB (measured: 128 KiB for a slow reader), plus Kestrel's pipes.
    /// </summary>
    private static long InFlightBound(Transport transport) => transport == Transport.Http1 ? 37 * MiB : 17 * MiB;
}
