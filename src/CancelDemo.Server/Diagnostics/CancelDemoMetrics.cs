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

    /// <summary>Counts a request that is ending: <paramref name="entry"/> as it stands, <paramref name="outcome"/> the one it ends with.</summary>
    public void RequestEnded(LedgerEntry entry, RequestOutcome outcome, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "outcome", outcome.Name() },
            { "protocol", entry.Protocol },
            { "path", entry.Path },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (entry.AbortToStopMs is { } ms)
        {
            _abortToStop.Record(ms, new KeyValuePair<string, object?>("protocol", entry.Protocol));
        }
    }
}
