using System.Diagnostics;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Downstream;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// Golden traces: one aborted request per kind, sent with the test's own traceparent to servers exporting to a real
/// Aspire Dashboard, read back through the dashboard's API by that trace id, every span checked; with ASP.NET Core's own
/// span tags off and on. The spans are what docs/tracing.md shows.
/// </summary>
[Collection(TracingDefinition.Name)]
public sealed class TracingTests(TracedServers servers, TracingReport report)
{
    private static readonly string[] ByConnection = [AbortSignals.Fin, AbortSignals.Rst];
    private static readonly string[] ByStream = [AbortSignals.RstStream];

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var tags in new[] { false, true })
        {
            foreach (var kind in GoldenCase.All.Keys)
            {
                data.Add(kind, tags);
            }
        }
        return data;
    }

    [RequiresTheory("postgresql", "pgbouncer")]
    [MemberData(nameof(Cases))]
    public async Task TheAbortReadsTheSameInTheTraceViewerAsInTheServer(string kind, bool aspNetCoreTags)
    {
        var golden = GoldenCase.All[kind];
        var (edge, hop) = servers.Chain(aspNetCoreTags);

        var (traceId, cancelledAt) = await SendAndAbortAsync(golden, edge, hop);
        var spans = await servers.Dashboard.Telemetry.WaitForTraceAsync(traceId, golden.IsWhole);
        report.Record(kind, aspNetCoreTags, cancelledAt, spans);

        var dump = string.Join("\n", spans.Select(TracingReport.Describe));
        var server = Assert.Single(spans, s => s.Service == TracedServers.ServiceName("a", aspNetCoreTags) && s.Scope == "Microsoft.AspNetCore");
        AssertAborted(server, golden.EdgeSignals, dump);
        if (golden.Leaf == "loop")
        {
            var loopService = golden.Downstream is null ? "a" : "b";
            var loop = Assert.Single(spans, s => s.Scope == "CancelDemo" && s.Service == TracedServers.ServiceName(loopService, aspNetCoreTags));
            Assert.Equal("costly operation", loop.Name);
            Assert.Equal(("clientAborted", SpanStatus.Unset), (loop["canceldemo.stop_reason"], loop.Status));
            Assert.True(int.Parse(loop["canceldemo.iterations_completed"]!, System.Globalization.CultureInfo.InvariantCulture) < GoldenCase.Iterations, dump);
            // The loop's span ends where the work stopped: at once, not at the loop's planned end.
            Assert.True(loop.End - cancelledAt < TimeSpan.FromSeconds(3), $"the loop ran on to {(loop.End - cancelledAt).TotalMilliseconds:0} ms after the cancel\n{dump}");
        }
        if (golden.Downstream is not null)
        {
            var hopServer = Assert.Single(spans, s => s.Service == TracedServers.ServiceName("b", aspNetCoreTags) && s.Scope == "Microsoft.AspNetCore");
            var call = Assert.Single(spans, s => s.Scope == "System.Net.Http" && s.Service == TracedServers.ServiceName("a", aspNetCoreTags));
            Assert.Equal(call.SpanId, hopServer.ParentSpanId);
            Assert.Equal((typeof(TaskCanceledException).FullName, "Error", null), (call["error.type"], call.Status.Code, call["http.response.status_code"]));
            AssertAborted(hopServer, golden.Downstream == "1.1" ? ByConnection : ByStream, dump);
        }
        if (golden.Leaf == "query")
        {
            var statement = Assert.Single(spans, GoldenCase.IsStatement);
            Assert.Null(statement["db.response.status_code"]);
            var abortedAt = server.Events.Single(e => e.Name == CancellationAuditTelemetry.ClientAbortedEvent).Time;
            if (golden.Propagates)
            {
                Assert.Equal(("Error", typeof(OperationCanceledException).FullName), (statement.Status.Code, statement["error.type"]));
                Assert.Contains("cancel", statement.Status.Message ?? "", StringComparison.OrdinalIgnoreCase);
                Assert.True(statement.End - abortedAt < TimeSpan.FromSeconds(5), $"the statement ended {(statement.End - abortedAt).TotalMilliseconds:0} ms after the abort\n{dump}");
            }
            else
            {
                // The control: nobody told the database, so its span ends only when the statement does, seconds later.
                Assert.Equal(SpanStatus.Unset, statement.Status);
                Assert.True(statement.End - abortedAt > TimeSpan.FromSeconds(GoldenCase.ControlSeconds / 2),
                    $"the statement ended {(statement.End - abortedAt).TotalMilliseconds:0} ms after the abort\n{dump}");
            }
        }
    }

    /// <summary>A server span of an aborted request: 499, status Unset (the client's doing, no error), and the audit's event.</summary>
    private static void AssertAborted(TraceSpan span, string[] signals, string dump)
    {
        Assert.True(span["http.response.status_code"] == "499", $"{span.Service} answered {span["http.response.status_code"]}\n{dump}");
        Assert.Equal(SpanStatus.Unset, span.Status);
        Assert.Null(span["error.type"]);
        var aborted = Assert.Single(span.Events, e => e.Name == CancellationAuditTelemetry.ClientAbortedEvent);
        Assert.Contains(aborted.Attributes[CancellationAuditTelemetry.AbortSignalTag], signals);
        Assert.NotNull(span[CancellationAuditTelemetry.WorkAfterAbortTag]);
    }

    /// <summary>
    /// Sends the case's request with a traceparent of the test's own, waits until the leaf's work has really started
    /// (its first step done, or its statement active in PostgreSQL), then cancels it as a caller would.
    /// </summary>
    private async Task<(string TraceId, DateTimeOffset CancelledAt)> SendAndAbortAsync(GoldenCase golden, ServerProcess edge, ServerProcess hop)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var id = NewId("trace");
        using var client = edge.CreateClient(golden.Client);
        using var request = Get(golden.PathAndQuery, id);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var cancel = new CancellationTokenSource();
        var call = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var (leafServer, leafId) = golden.Downstream is null ? (edge, id) : (hop, HopCaller.ChildId(id));
        if (golden.Leaf == "query")
        {
            await servers.Postgres.WaitForAsync(leafId, b => b is { IsActive: true });
        }
        else
        {
            await Polling.UntilAsync(async () => (await leafServer.LedgerEntryAsync(leafId)) is { } entry
                && entry.GetProperty("iterationsCompleted").GetInt32() >= 1, TaskTimeouts.Default);
        }
        cancel.Cancel();
        var cancelledAt = DateTimeOffset.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        // The connection stays open until the server has recorded the end: over HTTP/2 the RST_STREAM is then the only
        // signal, as from a client that goes on using its connection (closing it at once would race a FIN against it).
        await edge.WaitForLedgerEndAsync(id);
        return (traceId, cancelledAt);
    }
}

/// <summary>One kind of aborted request: what it calls, over what, and which spans make its trace whole.</summary>
public sealed record GoldenCase(string Kind, Transport Client, string PathAndQuery, string Leaf, string? Downstream, bool Propagates = true)
{
    public const int Iterations = 60;
    public const int ControlSeconds = 8;
    private const string Loop = "iterations=60&stepMs=200";

    public static IReadOnlyDictionary<string, GoldenCase> All { get; } = new GoldenCase[]
    {
        new("loop, HTTP/1.1", Transport.Http1, $"/http1?{Loop}", "loop", null),
        new("loop, HTTP/2 over TLS", Transport.Https, $"/http2?{Loop}", "loop", null),
        new("loop, h2c", Transport.H2c, $"/http2?{Loop}", "loop", null),
        new("/chain to B over HTTP/1.1, loop", Transport.Http1, $"/chain?hops=1&downstreamProtocol=1.1&leaf=loop&{Loop}", "loop", "1.1"),
        new("/chain to B over HTTP/2, loop", Transport.Http1, $"/chain?hops=1&downstreamProtocol=2&leaf=loop&{Loop}", "loop", "2"),
        new("/chain to B over h2c, loop", Transport.Http1, $"/chain?hops=1&downstreamProtocol=h2c&leaf=loop&{Loop}", "loop", "h2c"),
        new("/query, Npgsql", Transport.Http1, "/query?kind=sleep&seconds=30&api=npgsql", "query", null),
        new("/query, EF Core", Transport.Http1, "/query?kind=sleep&seconds=30&api=efcore", "query", null),
        new("/query, propagate=false (control)", Transport.Http1, $"/query?kind=sleep&seconds={ControlSeconds}&api=npgsql&propagate=false", "query", null, Propagates: false),
    }.ToDictionary(c => c.Kind);

    public string[] EdgeSignals => Client == Transport.Http1 ? [AbortSignals.Fin, AbortSignals.Rst] : [AbortSignals.RstStream];

    /// <summary>The statement's span (Npgsql also makes one for opening a physical connection, "CONNECT ...").</summary>
    public static bool IsStatement(TraceSpan span) => span.Scope == "Npgsql" && !span.Name.StartsWith("CONNECT", StringComparison.Ordinal);

    /// <summary>Every span this kind's trace has once every process has exported it.</summary>
    public bool IsWhole(IReadOnlyList<TraceSpan> spans) =>
        spans.Count(s => s.Scope == "Microsoft.AspNetCore") == (Downstream is null ? 1 : 2)
        && (Leaf != "loop" || spans.Any(s => s.Scope == "CancelDemo"))
        && (Leaf != "query" || spans.Any(IsStatement))
        && (Downstream is null || spans.Any(s => s.Scope == "System.Net.Http"));
}
