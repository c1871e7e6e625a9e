using CancelDemo.Server.DeadPeer;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// The live, thread-safe handle on one ledger entry. Handlers and middleware change it; every
/// change publishes a fresh snapshot to the ledger's watchers.
/// </summary>
public sealed class TrackedRequest
{
    private readonly Lock _gate = new();
    private readonly Action<LedgerEntry> _publish;
    private LedgerEntry _entry;
    private long _bytesWritten;

    internal TrackedRequest(LedgerEntry entry, Action<LedgerEntry> publish)
    {
        _entry = entry;
        _publish = publish;
    }

    public string Id => _entry.Id;

    /// <summary>The pipeline has not finished with the request yet.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _entry.EndedAt is null;
            }
        }
    }

    /// <summary>The current state. Bytes written are read live so the hot write path never locks.</summary>
    public LedgerEntry Snapshot
    {
        get
        {
            lock (_gate)
            {
                return _entry with { BytesWritten = Interlocked.Read(ref _bytesWritten) };
            }
        }
    }

    public void PlanIterations(int count) => Update(e => e with { IterationsPlanned = count });

    public void IterationCompleted() => Update(e => e with { IterationsCompleted = e.IterationsCompleted + 1 });

    public void AddBytesWritten(long count) => Interlocked.Add(ref _bytesWritten, count);

    /// <summary>Records what the request's PostgreSQL statement did so far.</summary>
    public void RecordQuery(Func<QueryRecord?, QueryRecord> change) => Update(e => e with { Query = change(e.Query) });

    /// <summary>Records the call to the next hop so far.</summary>
    public void RecordDownstream(Func<DownstreamCall?, DownstreamCall> change) => Update(e => e with { Downstream = change(e.Downstream) });

    /// <summary>Records the first abort signal only; later ones are the same abort seen again.</summary>
    public void AbortObserved(DateTimeOffset at, PeerVerdict? peer, bool writeFailed) => Update(e => e.AbortObservedAt is null
        ? e with
        {
            AbortObservedAt = at,
            BytesWrittenAtAbort = Interlocked.Read(ref _bytesWritten),
            PeerSilentMs = peer?.PeerSilentMs,
            AbortSource = peer?.Source,
            AbortSignal = peer?.Signal == "open" ? (e.Protocol == "HTTP/2" ? "RST_STREAM" : "open") : peer?.Signal,
            WriteFailed = e.WriteFailed || writeFailed,
        }
        : e with { WriteFailed = e.WriteFailed || writeFailed });

    /// <summary>The work stopped early, on <paramref name="reason"/>: the one place a stop is recorded (the first one counts).</summary>
    public void RecordStop(StopReason reason, DateTimeOffset at) => Update(e => e.StoppedAt is null ? e with { StoppedAt = at, StopReason = reason } : e);

    internal void End(RequestOutcome outcome, int statusCode, DateTimeOffset at) =>
        Update(e => e with { Outcome = outcome, StatusCode = statusCode, EndedAt = at });

    private void Update(Func<LedgerEntry, LedgerEntry> change)
    {
        LedgerEntry next;
        lock (_gate)
        {
            _entry = change(_entry);
            next = _entry with { BytesWritten = Interlocked.Read(ref _bytesWritten) };
        }
        _publish(next);
    }
}
