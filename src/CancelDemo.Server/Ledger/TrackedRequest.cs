using CancelDemo.Server.DeadPeer;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// The live record of one request the server's work runs for: the audit package's record (the abort, the stop, the
/// end, the operations) and the work's own progress. Handlers change it; every change publishes a snapshot to the
/// ledger's watchers when there are any, and a change nobody watches allocates nothing (a step and a byte count are
/// counters; a <see cref="LedgerEntry"/> is built only when someone reads one).
/// </summary>
public sealed class TrackedRequest : AuditedRequest
{
    private long _bytesWritten;
    private int _iterationsCompleted;

    // The rest of what changes, under the record's lock (Update).
    private int _iterationsPlanned;
    private bool _writeFailed;
    private long? _bytesWrittenAtAbort;
    private double? _peerSilentMs;
    private string? _abortSource;
    private DownstreamCall? _downstream;
    private QueryRecord? _query;

    internal TrackedRequest(LedgerEntry start, CancellationLedger ledger)
        : base(start, ledger)
    {
        _bytesWritten = start.BytesWritten;
        _iterationsCompleted = start.IterationsCompleted;
        _iterationsPlanned = start.IterationsPlanned;
        _writeFailed = start.WriteFailed;
        _bytesWrittenAtAbort = start.BytesWrittenAtAbort;
        _peerSilentMs = start.PeerSilentMs;
        _abortSource = start.AbortSource;
        _downstream = start.Downstream;
        _query = start.Query;
    }

    /// <summary>The current state, a snapshot of its own.</summary>
    public new LedgerEntry Snapshot => (LedgerEntry)base.Snapshot;

    /// <summary>Response bytes the handler has handed to the server so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public void PlanIterations(int count) => Update(this, count, static (r, count) => r._iterationsPlanned = count);

    public void IterationCompleted()
    {
        Interlocked.Increment(ref _iterationsCompleted);
        PublishChange();
    }

    public void AddBytesWritten(long count) => Interlocked.Add(ref _bytesWritten, count);

    /// <summary>Records what the request's PostgreSQL statement did so far.</summary>
    public void RecordQuery(Func<QueryRecord?, QueryRecord> change) => Update(this, change, static (r, change) => r._query = change(r._query));

    /// <summary>Records the call to the next hop so far.</summary>
    public void RecordDownstream(Func<DownstreamCall?, DownstreamCall> change) => Update(this, change, static (r, change) => r._downstream = change(r._downstream));

    /// <summary>
    /// The client is gone, as the server's work learned it: with what the connection's watch says of the peer. The first
    /// abort counts; a later one is the same abort seen again (and may add that a write failed).
    /// </summary>
    public void AbortObserved(DateTimeOffset at, PeerVerdict? peer, bool writeFailed) => Update(this, (at, peer, writeFailed), static (r, a) =>
    {
        var signal = a.peer?.Signal switch
        {
            "open" => r.Protocol == "HTTP/2" ? AbortSignals.RstStream : "open",
            PeerWatch.Pending => AbortSignals.Pending,
            var named => named,
        };
        r.RecordAbort(a.at, signal);
        if (r._bytesWrittenAtAbort is null)
        {
            (r._bytesWrittenAtAbort, r._peerSilentMs, r._abortSource) = (r.BytesWritten, a.peer?.PeerSilentMs, a.peer?.Source);
        }
        r._writeFailed |= a.writeFailed;
    });

    protected override RequestEntry Current() => (LedgerEntry)base.Current() with
    {
        IterationsPlanned = _iterationsPlanned,
        IterationsCompleted = Volatile.Read(ref _iterationsCompleted),
        BytesWritten = Interlocked.Read(ref _bytesWritten),
        WriteFailed = _writeFailed,
        BytesWrittenAtAbort = _bytesWrittenAtAbort,
        PeerSilentMs = _peerSilentMs,
        AbortSource = _abortSource,
        Downstream = _downstream,
        Query = _query,
    };
}
