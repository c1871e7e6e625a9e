using CancelDemo.Server.DeadPeer;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// The live, thread-safe handle on one ledger entry. Handlers and middleware change it; every change
/// publishes a fresh snapshot to the ledger's watchers, when there are any. The counters that change most
/// (steps done, bytes written) live outside the entry, so a step nobody watches costs no allocation.
/// </summary>
public sealed class TrackedRequest
{
    private readonly Lock _gate = new();
    private readonly RequestLedger _ledger;
    private LedgerEntry _entry;
    private long _bytesWritten;
    private int _iterationsCompleted;

    internal TrackedRequest(LedgerEntry entry, RequestLedger ledger)
    {
        _entry = entry;
        _iterationsCompleted = entry.IterationsCompleted;
        _ledger = ledger;
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

    /// <summary>The current state, a snapshot of its own.</summary>
    public LedgerEntry Snapshot
    {
        get
        {
            lock (_gate)
            {
                return Current();
            }
        }
    }

    /// <summary>Response bytes the handler has handed to the server so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public void PlanIterations(int count) => Update(count, static (e, count) => e with { IterationsPlanned = count });

    public void IterationCompleted()
    {
        Interlocked.Increment(ref _iterationsCompleted);
        if (_ledger.HasWatchers)
        {
            _ledger.Publish(Snapshot);
        }
    }

    public void AddBytesWritten(long count) => Interlocked.Add(ref _bytesWritten, count);

    /// <summary>Records what the request's PostgreSQL statement did so far.</summary>
    public void RecordQuery(Func<QueryRecord?, QueryRecord> change) => Update(change, static (e, change) => e with { Query = change(e.Query) });

    /// <summary>Records the call to the next hop so far.</summary>
    public void RecordDownstream(Func<DownstreamCall?, DownstreamCall> change) => Update(change, static (e, change) => e with { Downstream = change(e.Downstream) });

    /// <summary>Records the first abort signal only; later ones are the same abort seen again.</summary>
    public void AbortObserved(DateTimeOffset at, PeerVerdict? peer, bool writeFailed) => Update((at, peer, writeFailed, bytes: BytesWritten), static (e, a) => e.AbortObservedAt is null
        ? e with
        {
            AbortObservedAt = a.at,
            BytesWrittenAtAbort = a.bytes,
            PeerSilentMs = a.peer?.PeerSilentMs,
            AbortSource = a.peer?.Source,
            AbortSignal = a.peer?.Signal == "open" ? (e.Protocol == "HTTP/2" ? "RST_STREAM" : "open") : a.peer?.Signal,
            WriteFailed = e.WriteFailed || a.writeFailed,
        }
        : e.WriteFailed || !a.writeFailed ? e : e with { WriteFailed = true });

    /// <summary>The work stopped early, on <paramref name="reason"/>: the one place a stop is recorded (the first one counts).</summary>
    public void RecordStop(StopReason reason, DateTimeOffset at) =>
        Update((reason, at), static (e, s) => e.StoppedAt is null ? e with { StoppedAt = s.at, StopReason = s.reason } : e);

    internal void End(RequestOutcome outcome, int statusCode, DateTimeOffset at) =>
        Update((outcome, statusCode, at), static (e, end) => e with { Outcome = end.outcome, StatusCode = end.statusCode, EndedAt = end.at });

    /// <summary>The entry with the live counters, as a snapshot of its own; called under the lock.</summary>
    private LedgerEntry Current() =>
        _entry with { BytesWritten = Interlocked.Read(ref _bytesWritten), IterationsCompleted = Volatile.Read(ref _iterationsCompleted) };

    private void Update<TArg>(TArg arg, Func<LedgerEntry, TArg, LedgerEntry> change)
    {
        LedgerEntry? published = null;
        lock (_gate)
        {
            _entry = change(_entry, arg);
            if (_ledger.HasWatchers)
            {
                published = Current();
            }
        }
        if (published is not null)
        {
            _ledger.Publish(published);
        }
    }
}
