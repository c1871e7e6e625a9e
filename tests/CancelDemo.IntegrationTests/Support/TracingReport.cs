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

    /// <summary>The events, with their attributes but an exception's stack trace (it is in the dashboard).</summary>
    private static string Events(TraceSpan s) => s.Events.Count == 0 ? "" :
        string.Join(", ", s.Events.Select(e => e.Attributes.Keys.Any(k => k != "exception.stacktrace")
            ? $"{e.Name} ({string.Join(", ", e.Attributes.Where(a => a.Key != "exception.stacktrace").Select(a => $"{a.Key}={a.Value.ReplaceLineEndings(" ")}"))})"
            : e.Name));

    /// <summary>Which process sent a span: A (the edge), B (the hop) or the test's own traced client.</summary>
    private static string Process(TraceSpan s) =>
        s.Service.StartsWith("canceldemo-a", StringComparison.Ordinal) ? "A" : s.Service.StartsWith("canceldemo-b", StringComparison.Ordinal) ? "B" : "client";

    /// <summary>Which span of a trace this is, the same whichever process run: process, scope and name.</summary>
    private static string Role(TraceSpan s) => $"{Process(s)} {s.Scope} {s.Name}";

    /// <summary>What a backend shows of a span: status, error.type, status code, events, and the attribute names.</summary>
    private static string Shape(TraceSpan s) =>
        $"{s.Status.Code}|{s["error.type"]}|{Code(s)}|{string.Join(",", s.Events.Select(e => e.Name))}|{string.Join(",", s.Attributes.Keys.Order(StringComparer.Ordinal))}";

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    private IEnumerable<string> Lines()
    {
        var all = _traces.ToList();
        yield return "# What an abort looks like in your tracing tools";
        yield return "";
        yield return $"Written on {DateTime.UtcNow:yyyy-MM-dd} by `CANCELDEMO_WRITE_DOCS=1 ./test.sh --filter FullyQualifiedName~Tracing` (`TracingTests` and";
        yield return "`TracingDashboardTests`, which assert every status, `error.type`, code and event below), which rewrites this file. Each kind of aborted request was";
        yield return "sent with the test's own `traceparent` to CancelDemo process A (which calls process B for `/chain`), both exporting over";
        yield return "OTLP (OpenTelemetry .NET 1.21.0, Npgsql.OpenTelemetry 10.0.3) to a real Aspire Dashboard 13.6.5, then cancelled once the";
        yield return "leaf's work had started, and the trace was read back from the dashboard's API (`GET /api/telemetry/traces/{traceId}`).";
        yield return "\"ends\" is when the span ended, in ms after the client's cancel. The test's own client sends no span, but in the last";
        yield return "case, where a client traced by OpenTelemetry's HttpClient instrumentation shows what it sees.";
        // The golden cases in their order, then the rest (the body's cancel).
        var kinds = all.Select(t => t.Kind).Distinct().OrderBy(k => GoldenCase.All.Keys.ToList().IndexOf(k) is var i and >= 0 ? i : int.MaxValue).ThenBy(k => k, StringComparer.Ordinal);
        foreach (var kind in kinds)
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
                yield return $"| {Process(s)} | {s.Scope} \"{s.Name}\" | {s.Status} | {s["error.type"]} | {Code(s)} | {Events(s)} | {Ms(s.End - shown.CancelledAt)} |";
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
        var golden = spans.Where(s => GoldenCase.All.ContainsKey(s.Kind)).ToList();
        var servers = golden.Where(s => s.Span.Scope == "Microsoft.AspNetCore").ToList();
        var calls = golden.Where(s => s.Span.Scope == "System.Net.Http").ToList();
        var statements = golden.Where(s => GoldenCase.IsStatement(s.Span)).ToList();
        var cancelled = statements.Where(s => !s.Kind.Contains("control", StringComparison.Ordinal)).ToList();
        var control = statements.Where(s => s.Kind.Contains("control", StringComparison.Ordinal)).ToList();
        yield return "";
        yield return "## What a backend can alert on";
        yield return "";
        yield return $"Counted over every golden trace above, tags off and on ({servers.Count} server spans, {calls.Count} HttpClient spans, {statements.Count} statement spans):";
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
                     "PostgreSQL's 57014 is only inside the exception event's stack trace; match on the status description.";
        if (control.Count > 0)
        {
            var controlServers = servers.Where(s => s.Kind.Contains("control", StringComparison.Ordinal)).ToList();
            yield return $"- **The control, `propagate=false`**: the statement's span has status {Count(control.Select(s => s.Span.Status.Code))} and ends " +
                         $"{string.Join(" and ", control.Select(s => Ms(s.Span.End - s.CancelledAt)))} ms after the cancel, and the request's span with it " +
                         $"(still 499 and Unset; `{CancellationAuditTelemetry.WorkAfterAbortTag}` " +
                         $"{string.Join(" and ", controlServers.Select(s => s.Span[CancellationAuditTelemetry.WorkAfterAbortTag]))}): work that outlives its client " +
                         "shows as a long 499, so alert on that tag or on the audit's meter, not on the status.";
        }
        var body = spans.Where(s => s.Kind.Contains("body", StringComparison.Ordinal)).ToList();
        if (body.Count > 0)
        {
            var call = body.Where(s => s.Span.Scope == "System.Net.Http").ToList();
            var server = body.Where(s => s.Span.Scope == "Microsoft.AspNetCore").ToList();
            yield return $"- **Not on any status: a cancel while the body is read.** The client's HttpClient span: status {Count(call.Select(s => s.Span.Status.Code))}, " +
                         $"code {Count(call.Select(s => Code(s.Span)))}, ended {string.Join(", ", call.Select(s => Ms(s.CancelledAt - s.Span.End)))} ms *before* the cancel " +
                         $"(at the response headers); the server's span: status {Count(server.Select(s => s.Span.Status.Code))}, code {Count(server.Select(s => Code(s.Span)))}. " +
                         $"Only the audit's event tells it ({Count(server.Select(s => s.Span.Events.FirstOrDefault(e => e.Name == CancellationAuditTelemetry.ClientAbortedEvent)?.Attributes.GetValueOrDefault(CancellationAuditTelemetry.AbortSignalTag)))}).";
        }
    }
}
