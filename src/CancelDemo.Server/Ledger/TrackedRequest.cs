using CancelDemo.Server.DeadPeer;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// The live, thread-safe handle on one ledger entry. Handlers and middleware change it; every change
/// publishes a fresh snapshot to the ledger's watchers, when there are any. What changes is kept in fields of
/// its own beside the entry as it started, so a change nobody watches (a step, a byte count, the abort, the
/// stop, the end) allocates nothing: a <see cref="LedgerEntry"/> is built only when someone reads one.
/// </summary>
public sealed class TrackedRequest
{
    private readonly Lock _gate = new();
    private readonly RequestLedger _ledger;
    private readonly LedgerEntry _start;
    private long _bytesWritten;
    private int _iterationsCompleted;

    // The rest of what changes, under _gate.
    private DateTimeOffset? _endedAt;
    private RequestOutcome _outcome;
    private int? _statusCode;
    private int _iterationsPlanned;
    private DateTimeOffset? _abortObservedAt;
    private DateTimeOffset? _stoppedAt;
    private bool _writeFailed;
    private long? _bytesWrittenAtAbort;
    private double? _peerSilentMs;
    private StopReason? _stopReason;
    private string? _abortSource;
    private string? _abortSignal;
    private bool _abortSignalPending;
    private DownstreamCall? _downstream;
    private QueryRecord? _query;

    internal TrackedRequest(LedgerEntry entry, RequestLedger ledger)
    {
        _start = entry;
        _ledger = ledger;
        _bytesWritten = entry.BytesWritten;
        _iterationsCompleted = entry.IterationsCompleted;
        _endedAt = entry.EndedAt;
        _outcome = entry.Outcome;
        _statusCode = entry.StatusCode;
        _iterationsPlanned = entry.IterationsPlanned;
        _abortObservedAt = entry.AbortObservedAt;
        _stoppedAt = entry.StoppedAt;
        _writeFailed = entry.WriteFailed;
        _bytesWrittenAtAbort = entry.BytesWrittenAtAbort;
        _peerSilentMs = entry.PeerSilentMs;
        _stopReason = entry.StopReason;
        _abortSource = entry.AbortSource;
        _abortSignal = entry.AbortSignal;
        _downstream = entry.Downstream;
        _query = entry.Query;
    }

    public string Id => _start.Id;

    public string Path => _start.Path;

    public string Protocol => _start.Protocol;

    /// <summary>The pipeline has not finished with the request yet.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _endedAt is null;
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

    /// <summary>Why the work stopped early (None if it has not) and how long after the abort signal, without a snapshot.</summary>
    public (StopReason Reason, double? AbortToStopMs) Stop
    {
        get
        {
            lock (_gate)
            {
                return (_stopReason ?? StopReason.None, LedgerEntry.Between(_abortObservedAt, _stoppedAt));
            }
        }
    }

    /// <summary>Response bytes the handler has handed to the server so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public void PlanIterations(int count) => Update(count, static (r, count) => r._iterationsPlanned = count);

    public void IterationCompleted()
    {
        Interlocked.Increment(ref _iterationsCompleted);
        if (_ledger.HasWatchers)
        {
            lock (_gate)
            {
                _ledger.Publish(Current());
            }
        }
    }

    public void AddBytesWritten(long count) => Interlocked.Add(ref _bytesWritten, count);

    /// <summary>Records what the request's PostgreSQL statement did so far.</summary>
    public void RecordQuery(Func<QueryRecord?, QueryRecord> change) => Update(change, static (r, change) => r._query = change(r._query));

    /// <summary>Records the call to the next hop so far.</summary>
    public void RecordDownstream(Func<DownstreamCall?, DownstreamCall> change) => Update(change, static (r, change) => r._downstream = change(r._downstream));

    /// <summary>Records the first abort signal only; later ones are the same abort seen again (and may add that a write failed).</summary>
    public void AbortObserved(DateTimeOffset at, PeerVerdict? peer, bool writeFailed) => Update((at, peer, writeFailed), static (r, a) =>
    {
        if (r._abortObservedAt is null)
        {
            r._abortObservedAt = a.at;
            r._bytesWrittenAtAbort = r.BytesWritten;
            r._peerSilentMs = a.peer?.PeerSilentMs;
            r._abortSource = a.peer?.Source;
            r._abortSignalPending = a.peer?.Signal == PeerWatch.Pending;
            r._abortSignal = a.peer?.Signal switch
            {
                "open" => r._start.Protocol == "HTTP/2" ? "RST_STREAM" : "open",
                PeerWatch.Pending => null,
                var signal => signal,
            };
        }
        r._writeFailed |= a.writeFailed;
    });

    /// <summary>The abort's FIN or RST had reached the kernel but not yet the transport's reader: <see cref="AbortSignalLearned"/> will say which.</summary>
    public bool AbortSignalPending
    {
        get
        {
            lock (_gate)
            {
                return _abortSignalPending;
            }
        }
    }

    /// <summary>How the pending abort reached the server, now that the transport has read it.</summary>
    public void AbortSignalLearned(string signal) => Update(signal, static (r, signal) =>
    {
        if (r._abortSignalPending)
        {
            (r._abortSignal, r._abortSignalPending) = (signal, false);
        }
    });

    /// <summary>The work stopped early, on <paramref name="reason"/>: the one place a stop is recorded (the first one counts).</summary>
    public void RecordStop(StopReason reason, DateTimeOffset at) => Update((reason, at), static (r, s) =>
    {
        if (r._stoppedAt is null)
        {
            (r._stoppedAt, r._stopReason) = (s.at, s.reason);
        }
    });

    internal void End(RequestOutcome outcome, int statusCode, DateTimeOffset at) =>
        Update((outcome, statusCode, at), static (r, end) => (r._outcome, r._statusCode, r._endedAt) = (end.outcome, end.statusCode, end.at));

    /// <summary>The entry as it stands, a snapshot of its own; called under the lock.</summary>
    private LedgerEntry Current() => _start with
    {
        EndedAt = _endedAt,
        Outcome = _outcome,
        StatusCode = _statusCode,
        IterationsPlanned = _iterationsPlanned,
        IterationsCompleted = Volatile.Read(ref _iterationsCompleted),
        BytesWritten = Interlocked.Read(ref _bytesWritten),
        AbortObservedAt = _abortObservedAt,
        StoppedAt = _stoppedAt,
        WriteFailed = _writeFailed,
        BytesWrittenAtAbort = _bytesWrittenAtAbort,
        PeerSilentMs = _peerSilentMs,
        StopReason = _stopReason,
        AbortSource = _abortSource,
        AbortSignal = _abortSignal,
        Downstream = _downstream,
        Query = _query,
    };

    /// <summary>
    /// Changes the entry and publishes the result under the lock, so watchers receive this request's snapshots in the
    /// order they were taken: published outside it, an abort callback's snapshot and the handler's could swap, and the
    /// feed would end on the older one. Publishing never blocks (each watcher's buffer drops its oldest when full).
    /// </summary>
    private void Update<TArg>(TArg arg, Action<TrackedRequest, TArg> change)
    {
        lock (_gate)
        {
            change(this, arg);
            if (_ledger.HasWatchers)
            {
                _ledger.Publish(Current());
            }
        }
    }
}
