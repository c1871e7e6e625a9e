using System.Diagnostics;
using System.Diagnostics.Metrics;
using CancelDemo.Server.Ledger;

namespace CancelDemo.Server.Diagnostics;

/// <summary>Meter "CancelDemo": what dotnet-counters and any OpenTelemetry exporter see.</summary>
public sealed class CancelDemoMetrics
{
    public const string MeterName = "CancelDemo";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _abortToStop;

    public CancelDemoMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("canceldemo.requests", "{request}", "Recorded requests by outcome and protocol.");
        _duration = meter.CreateHistogram<double>("canceldemo.request.duration", "s", "Duration of recorded requests.");
        _abortToStop = meter.CreateHistogram<double>("canceldemo.abort_to_stop", "ms", "From the abort signal to the work stopping.");
    }

    /// <summary>
    /// Counts a request that is ending with <paramref name="outcome"/> (<paramref name="abortToStopMs"/>: its work's stop
    /// after the abort, if any), tagged with the route pattern it matched, never the raw path.
    /// </summary>
    public void RequestEnded(string protocol, string route, double? abortToStopMs, RequestOutcome outcome, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "outcome", outcome.Name() },
            { "protocol", protocol },
            { "http.route", route },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (abortToStopMs is { } ms)
        {
            _abortToStop.Record(ms, new KeyValuePair<string, object?>("protocol", protocol));
        }
    }
}
