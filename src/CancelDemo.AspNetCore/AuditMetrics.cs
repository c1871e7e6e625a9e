using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CancelDemo.AspNetCore;

/// <summary>Meter "CancelDemo.AspNetCore": what work outlived aborted requests, per route.</summary>
internal sealed class AuditMetrics
{
    public const string MeterName = CancellationAuditTelemetry.MeterName;

    private readonly Histogram<double> _workAfterAbort;
    private readonly Counter<long> _ranOn;

    public AuditMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _workAfterAbort = meter.CreateHistogram<double>("canceldemo.audit.work_after_abort", "ms",
            "How long an aborted request's handler ran on after RequestAborted fired, by route.");
        _ranOn = meter.CreateCounter<long>("canceldemo.audit.operations_ran_on", "{operation}",
            "Operations (outgoing calls, database commands, spans) of aborted requests that ended more than the threshold after the abort, by route and source.");
    }

    public void Settled(RequestEntry entry)
    {
        var route = entry.Route ?? "(none)";
        if (entry.WorkAfterAbortMs is { } ms)
        {
            _workAfterAbort.Record(ms, new KeyValuePair<string, object?>("http.route", route));
        }
        foreach (var op in entry.Operations ?? [])
        {
            if (op.RanOn)
            {
                _ranOn.Add(1, new TagList { { "http.route", route }, { "canceldemo.operation.source", op.Source } });
            }
        }
    }
}
