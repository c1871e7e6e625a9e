using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Extensions.Logging;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// The client's abort followed into the downstream work, with real processes: a server killed mid-query, two
/// servers chained over every protocol pair, the whole chain from curl through nginx or YARP to PostgreSQL, and pgbouncer.
/// </summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class PropagationTests(PostgresCluster postgres, PropagationReport report)
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    [RequiresTheory("postgresql", "pgbouncer")]
    [InlineData(false, "sleep")]
    [InlineData(false, "compute")]
    [InlineData(true, "sleep")]
    [InlineData(true, "compute")]
    public async Task ServerKilledMidQueryLeavesTheStatementRunningUnlessPostgresChecksTheClient(bool checkInterval, string kind)
    {
        const int Seconds = 4;
        var connection = postgres.Direct + (checkInterval ? ";Options=-c client_connection_check_interval=1000" : "");
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = connection });
        using var client = server.CreateClient(Transport.Http1);
        var id = NewId("killed");
        var call = client.SendAsync(Get($"/query?kind={kind}&seconds={Seconds}", id));
        var running = await postgres.WaitForAsync(id, b => b is { IsActive: true });

        server.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => call);

        if (checkInterval)
        {
            // PostgreSQL looks at the client's socket every second while the statement runs, and gives up on it.
            var ended = await postgres.WaitForAsync(id, b => b is null or { IsActive: false }, StopBound);
            var stoppedMs = (DateTimeOffset.UtcNow - killedAt).TotalMilliseconds;
            Assert.True(stoppedMs < (Seconds - 1) * 1000, $"the backend stopped {stoppedMs:0} ms after the kill, before the statement's end");
            report.Record(new("4. The server process is killed mid-query (SIGKILL)", $"client_connection_check_interval=1000, {kind}", null, Math.Round(stoppedMs, 1),
                $"backend {running!.Pid} {(ended is null ? "terminated" : "stopped")} {stoppedMs:0} ms after the kill (\"connection to client lost\")"));
        }
        else
        {
            await Task.Delay(TimeSpan.FromSeconds(1)); // let time pass: nothing tells PostgreSQL the client has gone
            Assert.True((await postgres.FindAsync(id))?.IsActive, "the backend works on for a dead server");
            var ended = await postgres.WaitForAsync(id, b => b is null or { IsActive: false }, TimeSpan.FromSeconds(Seconds + 10));
            var stoppedMs = (DateTimeOffset.UtcNow - killedAt).TotalMilliseconds;
            Assert.True(ended is null || ended.StateChange - ended.QueryStart >= TimeSpan.FromSeconds(Seconds - 0.1), "the statement ran to its end");
            report.Record(new("4. The server process is killed mid-query (SIGKILL)", $"default settings, {kind}", null, Math.Round(stoppedMs, 1),
                $"backend {running!.Pid} ran its {Seconds} s statement to the end: stopped {stoppedMs:0} ms after the kill"));
        }
    }

    [RequiresFact("postgresql", "pgbouncer")]
    public async Task TwoServersCarryTheAbortDownEveryProtocolPairToTheDatabase()
    {
        await using var hop = await ServerProcess.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = postgres.Direct });
        await using var edge = With(new Dictionary<string, string?> { ["Downstream:BaseUrl"] = hop.BaseAddress(Transport.Http1).ToString() });
        var runs = MeasuredDocs.WritesDocs ? 5 : 1;
        var failures = new List<string>();
        foreach (var client in Transports.All)
        {
            using var target = new ProbeTarget(edge.ProbeSettings(client, cancelAfter: TimeSpan.FromSeconds(1)));
            var runner = new ChainRunner(target);
            foreach (var downstream in Transports.All)
            {
                for (var run = 0; run < runs; run++)
                {
                    var waterfall = await runner.RunAsync(downstream, "query", hops: 1, CancellationToken.None).DefaultTimeout();
                    report.Record(new("5. Two server processes: every client protocol × every hop protocol, down to PostgreSQL", "matrix", waterfall, null, ""));
                    var lanes = waterfall.Lanes.ToDictionary(l => l.Lane);
                    var problem = waterfall switch
                    {
                        { AllStopped: false } => "a hop or the database did not stop",
                        _ when lanes["hop 1"].NoticedMs - lanes["edge"].NoticedMs > StopBound.TotalMilliseconds => "the hop noticed late",
                        _ when !lanes["database"].What.Contains("57014", StringComparison.Ordinal) => "the statement was not cancelled",
                        // HTTP/1.1 cancels a call by closing its connection; HTTP/2 resets the stream and keeps the connection.
                        _ when waterfall.HopConnectionKept != (downstream != Transport.Http1) => $"hop connection kept: {waterfall.HopConnectionKept}",
                        _ => null,
                    };
                    if (problem is not null)
                    {
                        failures.Add($"{client.Name()} → {downstream.Name()}: {problem}: {string.Join("; ", waterfall.Lanes)}");
                    }
                }
            }
        }
        Assert.Empty(failures);
        Assert.DoesNotContain(edge.Logs.Events, e => e.Level >= LogLevel.Warning);
    }

    /// <summary>nginx logs the client's abort as 499; YARP leaves 400 on the response (RequestCanceled, at Debug).</summary>
    [RequiresTheory("postgresql", "pgbouncer", "curl", "nginx")]
    [InlineData("nginx", "499")]
    [InlineData("yarp", "400")]
    public async Task CtrlCOnCurlStopsEveryHopThroughTheProxyDownToPostgres(string proxyName, string proxyLogs)
    {
        await using var hop = await ServerProcess.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = postgres.Direct });
        await using var edge = With(new Dictionary<string, string?> { ["Downstream:BaseUrl"] = hop.BaseAddress(Transport.Http1).ToString() });
        await using var proxy = await ProxyProcess.StartAsync(proxyName, edge, new Dictionary<string, string>());
        var id = NewId("whole-chain");
        var url = new Uri(proxy.BaseAddress, "/chain?hops=1&downstreamProtocol=h2c&leaf=query&kind=compute&seconds=60");
        await using var curl = Curl.Start(["curl", "-sS", "-o", "/dev/null", "--http2", "--cacert", edge.Certificate.PemPath, "-H", $"{RequestIds.Header}: {id}", url.ToString()]);
        var running = await postgres.WaitForAsync(HopCaller(id), b => b is { IsActive: true });

        var cancelledAt = DateTimeOffset.UtcNow;
        await curl.SignalAsync("INT");
        Assert.Equal(128 + 2, await curl.WaitForExitAsync());

        var idle = await postgres.WaitForAsync(HopCaller(id), b => b is { IsActive: false }, StopBound);
        await edge.WaitForEndAsync(id);
        using var target = new ProbeTarget(edge.ProbeSettings(Transport.Http1));
        var chain = await target.Ledger.WaitForChainAsync(id, CancellationToken.None).DefaultTimeout();
        var waterfall = Waterfall.From($"curl → {proxyName} (HTTP/2)", "h2c", "query", id, cancelledAt, chain, null);
        report.Record(new("6. The whole chain: curl Ctrl-C → a proxy → server A → server B (h2c) → PostgreSQL",
            proxyName == "nginx" ? "curl --http2, nginx proxy_pass HTTP/1.1" : "curl --http2, YARP to the HTTP/1.1 listener",
            waterfall, idle!.StateChange.Since(cancelledAt), $"{proxyName} logged {await proxy.LoggedStatusAsync(id)}"));

        Assert.Equal(2, chain.Count);
        Assert.All(chain, e => Assert.Equal("clientAborted", e.Outcome));
        Assert.Equal(("HTTP/1.1", "HTTP/2"), (chain[0].Protocol, chain[1].Protocol)); // proxy → A, A → B
        Assert.Equal(("cancelled", "57014", running!.Pid), (chain[1].Query!.Ending, chain[1].Query!.SqlState, chain[1].Query!.BackendPid));
        Assert.True(waterfall.AllStopped, string.Join("; ", waterfall.Lanes));
        Assert.Equal(proxyLogs, await proxy.LoggedStatusAsync(id));
    }

    [RequiresTheory("postgresql", "pgbouncer")]
    [InlineData("session")]
    [InlineData("transaction")]
    public async Task CancelReachesTheBackendThroughPgbouncer(string pooling)
    {
        var connection = pooling == "session" ? postgres.SessionPooled : postgres.TransactionPooled;
        await using var server = With(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connection });
        using var client = server.CreateClient(Transport.H2c);
        var id = NewId($"pgbouncer-{pooling}");
        using var cts = new CancellationTokenSource();
        var call = client.SendAsync(Get("/query?kind=compute&seconds=60", id), cts.Token);
        await postgres.WaitForAsync(id, b => b is { IsActive: true });

        await cts.CancelAsync();
        var cancelledAt = DateTimeOffset.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // Found by its tag: behind pgbouncer the PID Npgsql knows is pgbouncer's, not the backend's.
        var idle = await postgres.WaitForAsync(id, b => b is { IsActive: false }, StopBound);
        var entry = await server.WaitForEndAsync(id);
        report.Record(new("7. Through pgbouncer 1.18", $"{pooling} pooling", Waterfall.From("h2c", "-", "query", id, cancelledAt, [ProbeView.Of(entry)], null),
            idle!.StateChange.Since(cancelledAt), "pgbouncer forwarded the cancel request to the backend"));
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(("cancelled", "57014", true), (entry.Query!.Ending, entry.Query.SqlState, entry.Query.ConnectionHealthy));
    }

    /// <summary>The request id of the hop an edge request <paramref name="id"/> calls: its statement carries that tag.</summary>
    private static string HopCaller(string id) => CancelDemo.Server.Downstream.HopCaller.ChildId(id);
}
