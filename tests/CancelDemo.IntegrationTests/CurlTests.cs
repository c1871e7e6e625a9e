using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>The seed's curl experiment: real curl, real Ctrl-C (SIGINT), on every listener.</summary>
public sealed class CurlTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    private const int DiedOfSigInt = 128 + 2;
    private const int StepMs = 500;

    public static TheoryData<Transport> Transports => TestData.Transports();

    [RequiresTheory("curl")]
    [MemberData(nameof(Transports))]
    public async Task CtrlCOnCurlMidRequestIsRecordedAsClientAbortWithTheIterationsOfTheInterruptTime(Transport transport)
    {
        var id = NewId("curl");
        var interruptAfter = TimeSpan.FromMilliseconds(2.2 * StepMs); // the seed's "Ctrl-C after ~2 steps"
        await using var curl = Curl.Start(Curl.CommandFor(server, transport, $"/http1?iterations=20&stepMs={StepMs}", id));
        await server.WaitForEntryAsync(id, _ => true); // the request has arrived: start the clock

        await Task.Delay(interruptAfter); // let time pass, like the person before pressing Ctrl-C
        var interruptedAt = DateTimeOffset.UtcNow;
        await curl.SignalAsync("INT");

        Assert.Equal(DiedOfSigInt, await curl.WaitForExitAsync());
        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(499, entry.StatusCode);
        Assert.Equal(transport.WireName(), entry.Protocol);
        Assert.InRange(entry.IterationsCompleted, 1, 3); // 2 expected at 2.2 steps, ±1 for a busy machine
        Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);
        Assert.Equal("FIN", entry.AbortSignal); // over HTTP/2 too: curl closes the connection, it sends no RST_STREAM
        ClientMatrix.Record("curl", transport == Transport.Http1 ? "HTTP/1.1" : transport == Transport.Https ? "HTTP/2 over TLS" : "h2c",
            "Ctrl-C (SIGINT)", entry, interruptedAt, ClientMatrix.IterationsAfter(entry, interruptedAt, StepMs));
    }

    [RequiresTheory("curl")]
    [InlineData("http1.sh", Transport.Http1, "CANCELDEMO_HTTP1")]
    [InlineData("http2.sh", Transport.Https, "CANCELDEMO_HTTPS")]
    [InlineData("h2c.sh", Transport.H2c, "CANCELDEMO_H2C")]
    public async Task SampleCurlScriptInterruptsCurlAndTheServerStops(string script, Transport transport, string baseVariable)
    {
        var environment = new Dictionary<string, string>
        {
            [baseVariable] = server.BaseAddress(transport).ToString().TrimEnd('/'),
            ["CANCELDEMO_PEM"] = server.Certificate.PemPath,
        };
        await using var run = Curl.Start([RepositoryFiles.Path("samples", "curl", script), "2.5"], environment);

        Assert.True(await run.WaitForExitAsync() == 0, run.Output);

        Assert.Contains("died of SIGINT (exit 130)", run.Output, StringComparison.Ordinal);
        var prefix = $"curl-{Path.GetFileNameWithoutExtension(script)}-";
        var entry = server.Ledger.Recent(100).First(e => e.Id.StartsWith(prefix, StringComparison.Ordinal));
        entry = await server.WaitForEndAsync(entry.Id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(transport.WireName(), entry.Protocol);
        Assert.InRange(entry.IterationsCompleted, 1, 3); // default 1 s steps, interrupted after 2.5 s: 2 expected
    }
}
