using System.Net;
using System.Text.Json;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Downstream;
using Microsoft.Extensions.Logging;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// Seed 003's second reason to cancel: "a downstream HTTP request might take too long, causing a timeout response to be
/// sent upstream or a default value to be used instead". The edge gives up on its call to a second server process
/// (callTimeoutMs) and answers 504, or 200 with a default value; the hop must stop, and so must its statement.
/// </summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class CallTimeoutTests(PostgresCluster postgres, PropagationReport report)
{
    private const int CallTimeoutMs = 1000;
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);
    private static readonly string[] ByConnection = [AbortSignals.Fin, AbortSignals.Rst];
    private static readonly string[] ByStream = [AbortSignals.RstStream];

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var downstream in Transports.All)
        {
            data.Add(downstream.Name(), "loop", false);
            data.Add(downstream.Name(), "query", true);
        }
        return data;
    }

    [RequiresTheory("postgresql", "pgbouncer")]
    [MemberData(nameof(Cases))]
    public async Task AnEdgeThatGivesUpOnItsCallStopsTheHopAndItsStatement(string downstream, string leaf, bool fallback)
    {
        await using var hop = await ServerProcess.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = postgres.Direct });
        await using var edge = With(new Dictionary<string, string?> { ["Downstream:BaseUrl"] = hop.BaseAddress(Transport.Http1).ToString() });
        using var client = edge.CreateClient(Transport.Http1);
        var id = NewId("call-timeout");
        var work = leaf == "query" ? "leaf=query&kind=sleep&seconds=30" : "leaf=loop&iterations=300&stepMs=100";
        // A first call that completes: the edge learns the hop's listeners, both open their connections and compile
        // their code, so that the deadline below is spent on the leaf's work, not on a cold start.
        using (var warm = await client.GetAsync(new Uri($"/chain?hops=1&downstreamProtocol={downstream}&" +
            (leaf == "query" ? "leaf=query&kind=sleep&seconds=1" : "leaf=loop&iterations=1&stepMs=1"), UriKind.Relative)).DefaultTimeout())
        {
            warm.EnsureSuccessStatusCode();
        }

        var started = DateTimeOffset.UtcNow;
        using var response = await client.SendAsync(Get($"/chain?hops=1&downstreamProtocol={downstream}&{work}&callTimeoutMs={CallTimeoutMs}&fallback={fallback}", id))
            .DefaultTimeout();
        var answeredMs = (DateTimeOffset.UtcNow - started).TotalMilliseconds;
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(fallback ? HttpStatusCode.OK : HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(fallback ? "fallback" : "The next hop was too slow", body.RootElement.GetProperty(fallback ? "status" : "title").GetString());
        Assert.True(answeredMs >= CallTimeoutMs - 50, $"answered after {answeredMs:0} ms, before callTimeoutMs");
        var entry = await edge.WaitForEndAsync(id);
        Assert.Equal(("timedOut", fallback ? 200 : 504), (entry.Downstream!.Ending, entry.StatusCode));
        Assert.Equal(fallback ? "completed" : "failed", entry.Outcome.Name());

        // The hop: told by the cancelled call (HTTP/1.1: its connection closed; HTTP/2: RST_STREAM), it stops.
        var hopEntry = (await hop.WaitForLedgerEndAsync(HopCaller.ChildId(id)));
        Assert.Equal("clientAborted", hopEntry.GetProperty("outcome").GetString());
        Assert.Contains(hopEntry.GetProperty("abortSignal").GetString(), downstream == "1.1" ? ByConnection : ByStream);
        var gaveUpAt = entry.Downstream.CancelledAt!.Value;
        var hopStopped = hopEntry.GetProperty("stoppedAt").GetDateTimeOffset();
        Assert.True(hopStopped - gaveUpAt < StopBound, $"the hop stopped {(hopStopped - gaveUpAt).TotalMilliseconds:0} ms after the edge gave up");
        if (leaf == "query")
        {
            var query = hopEntry.GetProperty("query");
            Assert.Equal(("cancelled", "57014"), (query.GetProperty("ending").GetString(), query.GetProperty("sqlState").GetString()));
        }

        using var target = new ProbeTarget(edge.ProbeSettings(Transport.Http1));
        var chain = await target.Ledger.WaitForChainAsync(id, CancellationToken.None).DefaultTimeout();
        report.Record(new("8. The edge gives up on its call (callTimeoutMs, seed 003's timeout)",
            $"callTimeoutMs={CallTimeoutMs}, hop over {downstream}, {leaf}{(fallback ? ", fallback=true" : "")}",
            Waterfall.From($"edge's callTimeoutMs ({(fallback ? "200 fallback" : "504")})", downstream, leaf, id, gaveUpAt, chain, null), null,
            $"answered after {answeredMs:0} ms"));
        Assert.DoesNotContain(edge.Logs.Events, e => e.Level >= LogLevel.Warning);
    }
}
