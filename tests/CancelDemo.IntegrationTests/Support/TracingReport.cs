using System.Collections.Concurrent;
using System.Globalization;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// The golden traces, written when the run ends: to docs/tracing.md with CANCELDEMO_WRITE_DOCS=1, else next to the
/// test output. Each span as the dashboard served it; the facts to alert on are counted from the spans themselves.
/// </summary>
public sealed class TracingReport : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Kind, bool AspNetCoreTags, DateTimeOffset CancelledAt, IReadOnlyList<TraceSpan> Spans)> _traces = new();

    public void Record(string kind, bool aspNetCoreTags, DateTimeOffset cancelledAt, IReadOnlyList<TraceSpan> spans) =>
        _traces.Enqueue((kind, aspNetCoreTags, cancelledAt, spans));

    /// <summary>A span in one line, for a failure's message.</summary>
    public static string Describe(TraceSpan s) =>
        $"{s.Service} [{s.Scope}] \"{s.Name}\" {s.Status} error.type={s["error.type"]} code={Code(s)} events={Events(s)} " +
        $"attributes={string.Join(",", s.Attributes.Select(a => $"{a.Key}={a.Value}"))}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_traces.IsEmpty)
        {
            return;
        }
        await File.WriteAllLinesAsync(MeasuredDocs.PathOf("tracing.md"), Lines());
    }

    private static string? Code(TraceSpan s) => s["http.response.status_code"] ?? s["db.response.status_code"];

    private static string Events(TraceSpan s) => s.Events.Count == 0 ? "" :
        string.Join(", ", s.Events.Select(e => e.Attributes.Count == 0 ? e.Name : $"{e.Name} ({string.Join(", ", e.Attributes.Select(a => $"{a.Key}={a.Value}"))})"));

    /// <summary>Which span of a trace this is, the same whichever process run: role, scope and name.</summary>
    private static string Role(TraceSpan s) => $"{(s.Service.StartsWith("canceldemo-a", StringComparison.Ordinal) ? "A" : "B")} {s.Scope} {s.Name}";

    /// <summary>What a backend shows of a span: status, error.type, status code, events, and the attribute names.</summary>
    private static string Shape(TraceSpan s) =>
        $"{s.Status.Code}|{s["error.type"]}|{Code(s)}|{string.Join(",", s.Events.Select(e => e.Name))}|{string.Join(",", s.Attributes.Keys.Order(StringComparer.Ordinal))}";

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    private IEnumerable<string> Lines()
    {
        var all = _traces.ToList();
        yield return "# What an abort looks like in your tracing tools";
        yield return "";
        yield return $"Written on {DateTime.UtcNow:yyyy-MM-dd} by `CANCELDEMO_WRITE_DOCS=1 ./test.sh --filter FullyQualifiedName~Tracing` (`TracingTests`; every";
        yield return "status, `error.type`, code and event below is asserted there), which rewrites this file. Each kind of aborted request was";
        yield return "sent with the test's own `traceparent` to CancelDemo process A (which calls process B for `/chain`), both exporting over";
        yield return "OTLP (OpenTelemetry .NET 1.21.0, Npgsql.OpenTelemetry 10.0.3) to a real Aspire Dashboard 13.6.5, then cancelled once the";
        yield return "leaf's work had started, and the trace was read back from the dashboard's API (`GET /api/telemetry/traces/{traceId}`).";
        yield return "\"ends\" is when the span ended, in ms after the client's cancel. The test's own client sends no span.";
        foreach (var kind in all.Select(t => t.Kind).Distinct().Order(StringComparer.Ordinal))
        {
            yield return "";
            yield return $"## {kind}";
            yield return "";
            yield return "| process | span | status | `error.type` | status code | events | ends ms |";
            yield return "|---|---|---|---|---|---|---|";
            var off = all.FirstOrDefault(t => t.Kind == kind && !t.AspNetCoreTags);
            var shown = off.Spans is null ? all.First(t => t.Kind == kind) : off;
            foreach (var s in shown.Spans.OrderBy(s => s.Start))
            {
                yield return $"| {Role(s)[..1]} | {s.Scope} \"{s.Name}\" | {s.Status} | {s["error.type"]} | {Code(s)} | {Events(s)} | {Ms(s.End - shown.CancelledAt)} |";
            }
            var on = all.FirstOrDefault(t => t.Kind == kind && t.AspNetCoreTags);
            if (off.Spans is not null && on.Spans is not null)
            {
                var a = off.Spans.Select(s => (Role(s), Shape(s))).Order().ToList();
                var b = on.Spans.Select(s => (Role(s), Shape(s))).Order().ToList();
                yield return "";
                yield return a.SequenceEqual(b)
                    ? "With ASP.NET Core's own span tags on (`Telemetry:AspNetCoreTags=true`): the same spans, statuses, `error.type`, codes, events and attribute names."
                    : $"With ASP.NET Core's own span tags on (`Telemetry:AspNetCoreTags=true`) the spans differ: {string.Join("; ", b.Except(a).Select(x => $"{x.Item1}: {x.Item2}"))} (tags off: {string.Join("; ", a.Except(b).Select(x => $"{x.Item1}: {x.Item2}"))}).";
            }
        }
        foreach (var line in AlertFacts(all.SelectMany(t => t.Spans.Select(s => (t.Kind, t.CancelledAt, Span: s))).ToList()))
        {
            yield return line;
        }
    }

    private static IEnumerable<string> AlertFacts(List<(string Kind, DateTimeOffset CancelledAt, TraceSpan Span)> spans)
    {
        static string Count<T>(IEnumerable<T> values) => string.Join(", ", values.GroupBy(v => v?.ToString() ?? "(none)").Select(g => $"{g.Key} ({g.Count()})"));
        var servers = spans.Where(s => s.Span.Scope == "Microsoft.AspNetCore").ToList();
        var calls = spans.Where(s => s.Span.Scope == "System.Net.Http").ToList();
        var statements = spans.Where(s => s.Span.Scope == "Npgsql" && !s.Span.Name.StartsWith("CONNECT", StringComparison.Ordinal)).ToList();
        var cancelled = statements.Where(s => !s.Kind.Contains("control", StringComparison.Ordinal)).ToList();
        var control = statements.Where(s => s.Kind.Contains("control", StringComparison.Ordinal)).ToList();
        yield return "";
        yield return "## What a backend can alert on";
        yield return "";
        yield return $"Counted over every trace above ({servers.Count} server spans, {calls.Count} HttpClient spans, {statements.Count} statement spans):";
        yield return "";
        yield return $"- **Server spans of aborted requests**: `http.response.status_code` {Count(servers.Select(s => Code(s.Span)))}; status " +
                     $"{Count(servers.Select(s => s.Span.Status.Code))}; `error.type` {Count(servers.Select(s => s.Span["error.type"]))}. An abort is not an error " +
                     "to OpenTelemetry's ASP.NET Core instrumentation: alert on the rate of 499, not on span errors, or aborts stay invisible.";
        yield return $"- **The audit's event** `{CancellationAuditTelemetry.ClientAbortedEvent}` on each of them, with `{CancellationAuditTelemetry.AbortSignalTag}` " +
                     $"{Count(servers.Select(s => s.Span.Events.FirstOrDefault(e => e.Name == CancellationAuditTelemetry.ClientAbortedEvent)?.Attributes.GetValueOrDefault(CancellationAuditTelemetry.AbortSignalTag)))}, " +
                     $"and the tag `{CancellationAuditTelemetry.WorkAfterAbortTag}` (how long the handler ran on) on {servers.Count(s => s.Span[CancellationAuditTelemetry.WorkAfterAbortTag] is not null)} of {servers.Count}.";
        yield return $"- **HttpClient calls cancelled by the abort**: status {Count(calls.Select(s => s.Span.Status.Code))}, `error.type` {Count(calls.Select(s => s.Span["error.type"]))}, " +
                     $"`http.response.status_code` {Count(calls.Select(s => s.Span["http.response.status_code"]))}. They are errors, though the caller cancelled them on purpose.";
        yield return $"- **Statements cancelled with the request's token** (Npgsql, also under EF Core): status {Count(cancelled.Select(s => s.Span.Status.ToString()))}, " +
                     $"`error.type` {Count(cancelled.Select(s => s.Span["error.type"]))}, `db.response.status_code` {Count(cancelled.Select(s => s.Span["db.response.status_code"]))}: " +
                     "PostgreSQL's 57014 is not on the span; match on the status description.";
        if (control.Count > 0)
        {
            yield return $"- **The control, `propagate=false`**: the statement's span has status {Count(control.Select(s => s.Span.Status.Code))} and ends " +
                         $"{string.Join(" and ", control.Select(s => Ms(s.Span.End - s.CancelledAt)))} ms after the cancel: a statement that outlives its request " +
                         "shows only as a child span ending after its parent.";
        }
        var body = "a cancel after the response headers";
        yield return $"- **Not visible**: {body} leaves every span at 200 and Unset (`TracingDashboardTests`): only the audit's event tells it.";
    }
}
