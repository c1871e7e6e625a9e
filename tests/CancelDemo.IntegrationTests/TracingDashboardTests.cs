using System.Diagnostics;
using System.Text.RegularExpressions;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Downstream;
using Microsoft.Playwright;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// The telemetry as a user meets it: the banner line, the cancel no span shows (during the body), and the README's
/// walkthrough: samples/dashboard/run.sh, then a curl Ctrl-C through nginx → A → B → PostgreSQL as one trace in the
/// dashboard's own page, with its logs and metrics.
/// </summary>
[Collection(TracingDefinition.Name)]
public sealed partial class TracingDashboardTests(TracedServers servers, TracingReport report, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string TracedHeader = "X-Traced-By-Test";

    [RequiresFact("postgresql", "pgbouncer")]
    public async Task TheBannerSaysWhereTelemetryGoesAndWhetherAspNetCoresOwnTagsAreOn()
    {
        foreach (var tags in new[] { false, true })
        {
            var (edge, hop) = servers.Chain(tags);
            foreach (var (server, role) in new[] { (edge, "a"), (hop, "b") })
            {
                Assert.Contains($"OpenTelemetry: traces, metrics and logs go to {servers.Dashboard.Otlp} (grpc) as service {TracedServers.ServiceName(role, tags)}; " +
                    $"ASP.NET Core's own span tags {(tags ? "on" : "off")}", server.Output, StringComparison.Ordinal);
            }
        }
        await using var plain = await ServerProcess.StartAsync();
        Assert.DoesNotContain("OpenTelemetry", plain.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The client here is traced too (OpenTelemetry's HttpClient instrumentation in the test process, exporting to the
    /// same dashboard): its span ends at the response headers, so a cancel while reading the body is on no span's status.
    /// </summary>
    [RequiresFact("postgresql", "pgbouncer")]
    public async Task ACancelDuringTheBodyLeavesEverySpanAt200AndOnlyTheAuditsEventTellsIt()
    {
        var (edge, _) = servers.Chain(aspNetCoreTags: false);
        using var source = new ActivitySource("CancelDemo.IntegrationTests");
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService("test-client"))
            .AddSource(source.Name)
            .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = r => r.Headers.Contains(TracedHeader))
            .AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (servers.Dashboard.Otlp, OtlpExportProtocol.Grpc))
            .Build())
        {
            using var client = edge.CreateClient(Transport.H2c);
            var id = NewId("body");
            string traceId;
            DateTimeOffset cancelledAt;
            using (var read = source.StartActivity("read the stream"))
            {
                traceId = read!.TraceId.ToHexString();
                using var request = Get("/stream?chunkBytes=1024&intervalMs=100&durationMs=30000", id);
                request.Headers.Add(TracedHeader, "1");
                using var cancel = new CancellationTokenSource();
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token).DefaultTimeout();
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadAsStreamAsync(cancel.Token);
                await body.ReadExactlyAsync(new byte[2048], cancel.Token).AsTask().DefaultTimeout();
                // Cancelled while a read waits for the next chunk, as a reader that gives up mid-download does.
                var reading = Task.Run(async () =>
                {
                    var buffer = new byte[4096];
                    while (await body.ReadAsync(buffer, cancel.Token) > 0)
                    {
                    }
                });
                await Task.Delay(300); // only lets time pass, so the cancel lands on a read that is waiting
                cancel.Cancel();
                cancelledAt = DateTimeOffset.UtcNow;
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
                response.Dispose(); // as a `using` would, on the way out: over HTTP/2 this resets the stream
            }
            await edge.WaitForLedgerEndAsync(id); // outside the test's span: the ledger's reads are no part of the trace
            tracing.ForceFlush();

            var spans = await servers.Dashboard.Telemetry.WaitForTraceAsync(traceId, s => s.Count(x => x.Scope is "Microsoft.AspNetCore" or "System.Net.Http" or "CancelDemo.IntegrationTests") == 3);
            report.Record("a cancel while reading the response body (/stream, h2c)", false, cancelledAt, spans);
            var dump = string.Join("\n", spans.Select(TracingReport.Describe));
            var call = Assert.Single(spans, s => s.Scope == "System.Net.Http");
            Assert.Equal(("200", SpanStatus.Unset, null), (call["http.response.status_code"], call.Status, call["error.type"]));
            Assert.True(call.End < cancelledAt, $"the client's span ended {(call.End - cancelledAt).TotalMilliseconds:0} ms after the cancel\n{dump}");
            var server = Assert.Single(spans, s => s.Scope == "Microsoft.AspNetCore");
            Assert.Equal(("200", SpanStatus.Unset, null), (server["http.response.status_code"], server.Status, server["error.type"]));
            var aborted = Assert.Single(server.Events, e => e.Name == CancellationAuditTelemetry.ClientAbortedEvent);
            Assert.Equal(AbortSignals.RstStream, aborted.Attributes[CancellationAuditTelemetry.AbortSignalTag]);
        }
    }

    /// <summary>The README's "The same abort in your tracing tools", step by step, with its screenshot.</summary>
    [RequiresFact("postgresql", "pgbouncer", "curl", "nginx", "chromium")]
    public async Task TheReadmesCtrlCThroughNginxIsOneTraceInTheDashboard()
    {
        // 1. samples/dashboard/run.sh, and the two lines it prints.
        string? ui = null, otlp = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ports = (Ui: LoopbackPort.Free(), Otlp: LoopbackPort.Free());
        await using var dashboard = ChildProcess.Start("bash", [RepositoryFiles.Path("samples", "dashboard", "run.sh"), $"{ports.Ui}", $"{ports.Otlp}"], onLine: line =>
        {
            if (line.StartsWith("Dashboard: ", StringComparison.Ordinal))
            {
                ui = line["Dashboard: ".Length..];
            }
            else if (ExportLine().Match(line) is { Success: true } m)
            {
                otlp = m.Groups["endpoint"].Value;
            }
            else if (line.Contains("OTLP/gRPC listening on:", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        });
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(120)); // its first run restores the package
        Assert.Equal(($"http://127.0.0.1:{ports.Ui}", $"http://127.0.0.1:{ports.Otlp}"), (ui, otlp));

        // 2. Two servers exporting to it (B on PostgreSQL, A calling B), nginx in front of A.
        // The README's line with a service name each; metrics every second rather than every minute, for the metrics page.
        Dictionary<string, string> Exporting(string service) => new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp!, ["OTEL_SERVICE_NAME"] = service, ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000" };
        var hop = await ServerProcess.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = servers.Postgres.Direct }, environment: Exporting("canceldemo-b"));
        await using var _ = hop;
        await using var edge = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Downstream:BaseUrl"] = hop.BaseAddress(Transport.Http1).ToString() },
            environment: Exporting("canceldemo-a"));
        await using var nginx = await ProxyProcess.StartAsync("nginx", edge, new Dictionary<string, string>());

        // 3. curl through nginx, Ctrl-C once the statement runs.
        var id = NewId("readme-trace");
        var url = new Uri(nginx.BaseAddress, "/chain?hops=1&downstreamProtocol=h2c&leaf=query&kind=compute&seconds=60");
        await using var curl = Curl.Start(["curl", "-sS", "-o", "/dev/null", "--http2", "--cacert", Path.Combine(edge.StateDirectory, "localhost.pem"),
            "-H", $"{RequestIds.Header}: {id}", url.ToString()]);
        await servers.Postgres.WaitForAsync(HopCaller.ChildId(id), b => b is { IsActive: true });
        await curl.SignalAsync("INT");
        Assert.Equal(128 + 2, await curl.WaitForExitAsync());
        var entry = await edge.WaitForLedgerEndAsync(id);

        // 4. The trace, by the id A's ledger gives it: every hop's spans, and their log lines beside them.
        var traceId = entry.GetProperty("traceId").GetString()!;
        using var api = new AspireDashboard.Api(new Uri(ui + "/"));
        var spans = await api.WaitForTraceAsync(traceId, s => s.Count(x => x.Scope == "Microsoft.AspNetCore" && x.Name == "GET /chain") == 2 && s.Any(GoldenCase.IsStatement)
            && s.Any(x => x.Scope == "System.Net.Http"));
        var dump = string.Join("\n", spans.Select(TracingReport.Describe));
        Assert.All(spans.Where(s => s.Name == "GET /chain"), s => Assert.True(s["http.response.status_code"] == "499", dump));
        Assert.Equal("Error", Assert.Single(spans, GoldenCase.IsStatement).Status.Code);
        Assert.Equal(["canceldemo-a", "canceldemo-b"], spans.Select(s => s.Service).Distinct().Order(StringComparer.Ordinal));
        var logs = await api.WaitForLogsAsync(traceId, l => l.Count(x => x.Body.StartsWith("499 |", StringComparison.Ordinal)) == 2);
        Assert.Contains(logs, l => l.Service == "canceldemo-b" && l.Body.Contains("Client has disconnected", StringComparison.Ordinal));
        // Rendered as Serilog renders a message for sinks other than the console's literal template: strings in quotes.
        Assert.Contains(logs, l => l.Service == "canceldemo-b" && l.Body.StartsWith("Query \"cancelled\" (SQLSTATE \"57014\")", StringComparison.Ordinal));

        // 5. The dashboard's own page for that trace, and the CancelDemo meter on its metrics page.
        var context = await chromium.NewContextAsync();
        await using var __ = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{ui}/traces/detail/{traceId}");
        await Assertions.Expect(page.GetByText("postgresql").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("canceldemo-b").First).ToBeVisibleAsync();
        await new SamplePage(page).ScreenshotAsync("dashboard-trace", "dashboard-trace.png");
        await page.GotoAsync($"{ui}/metrics/resource/canceldemo-a?meter=CancelDemo&instrument=canceldemo.requests&duration=5&view=Table");
        await Assertions.Expect(page.GetByText("canceldemo.requests").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("clientAborted").First).ToBeVisibleAsync();
        await new SamplePage(page).ScreenshotAsync("dashboard-metrics");
    }

    [GeneratedRegex(@"^Start the server exporting to it: OTEL_EXPORTER_OTLP_ENDPOINT=(?<endpoint>\S+) dotnet run --project src/CancelDemo.Server$")]
    private static partial Regex ExportLine();
}
