using System.Diagnostics;
using CancelDemo.AspNetCore.Transport;

namespace CancelDemo.AspNetCore;

/// <summary>
/// The live, thread-safe record of one request in the ledger. The audit middleware starts and ends it, its
/// RequestAborted callback records the abort, the operation tracker adds the operations the request starts; the app
/// may say when and why its own work stopped (<see cref="RecordStop"/>). Every change publishes a snapshot to the
/// ledger's watchers, under the lock, so they receive one request's snapshots in order; a change nobody watches
/// allocates nothing. An app that records more derives from it (see <see cref="CancellationAuditOptions.CreateRequest"/>).
/// </summary>
public class AuditedRequest
{
    /// <summary>The Activity custom property that ties a request's activity (and so its operations) to its record.</summary>
    internal const string ActivityProperty = "CancelDemo.AspNetCore.AuditedRequest";

    private readonly object _gate = new();
    private readonly RequestEntry _start;
    private DateTimeOffset? _endedAt;
    private RequestOutcome _outcome;
    private int? _statusCode;
    private DateTimeOffset? _abortObservedAt;
    private string? _abortSignal;
    private bool _abortSignalPending;
    private DateTimeOffset? _stoppedAt;
    private StopReason? _stopReason;
    private List<Operation>? _operations;
    private int _running;
    private bool _ended;
    private Action<AuditedRequest>? _settled;
    private Watched? _watched;

    /// <param name="start">The entry as the request starts (a derived record passes its own entry type).</param>
    /// <param name="ledger">The ledger it belongs to; the middleware adds it there.</param>
    public AuditedRequest(RequestEntry start, CancellationLedger ledger)
    {
        _start = start;
        Ledger = ledger;
    }

    /// <summary>The request's id (X-Request-Id, or the server's own).</summary>
    public string Id => _start.Id;

    /// <summary>The request path, as sent.</summary>
    public string Path => _start.Path;

    /// <summary>HTTP/1.1 or HTTP/2: what really arrived.</summary>
    public string Protocol => _start.Protocol;

    /// <summary>When the request reached the ledger.</summary>
    public DateTimeOffset StartedAt => _start.StartedAt;

    /// <summary>The route pattern the request matched, if any.</summary>
    public string? Route => _start.Route;

    /// <summary>The ledger the request is recorded in.</summary>
    public CancellationLedger Ledger { get; }

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
    public RequestEntry Snapshot
    {
        get
        {
            lock (_gate)
            {
                return Current();
            }
        }
    }

    /// <summary>Why the app stopped its work early (None if it has not said) and how long after the abort.</summary>
    public (StopReason Reason, double? AbortToStopMs) Stop
    {
        get
        {
            lock (_gate)
            {
                return (_stopReason ?? StopReason.None, RequestEntry.Between(_abortObservedAt, _stoppedAt));
            }
        }
    }

    /// <summary>How the request ended (Running until it has), and the status recorded.</summary>
    public (RequestOutcome Outcome, int? StatusCode) Ending
    {
        get
        {
            lock (_gate)
            {
                return (_outcome, _statusCode);
            }
        }
    }

    /// <summary>The abort's FIN or RST had reached the server but not yet the transport's reader.</summary>
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

    /// <summary>RequestAborted has fired (or the app said the client is gone).</summary>
    public bool IsAborted
    {
        get
        {
            lock (_gate)
            {
                return _abortObservedAt is not null;
            }
        }
    }

    /// <summary>
    /// The client is gone, as the app learned it at <paramref name="at"/>; <paramref name="signal"/> is how (FIN, RST,
    /// RST_STREAM, silence, ...), or <see cref="AbortSignals.Pending"/> when the transport has yet to say. The first
    /// abort counts; later ones are the same abort seen again.
    /// </summary>
    public void AbortObserved(DateTimeOffset at, string? signal) => Update(this, (at, signal), static (r, a) => r.RecordAbort(a.at, a.signal));

    /// <summary>How a pending abort reached the server, now that the transport has read it.</summary>
    public void AbortSignalLearned(string? signal) => Update(this, signal, static (r, signal) =>
    {
        if (r._abortSignalPending)
        {
            (r._abortSignal, r._abortSignalPending) = (signal, false);
        }
    });

    /// <summary>The app's work stopped early, on <paramref name="reason"/> (the first one counts).</summary>
    public void RecordStop(StopReason reason, DateTimeOffset at) => Update(this, (reason, at), static (r, s) =>
    {
        if (r._stoppedAt is null)
        {
            (r._stoppedAt, r._stopReason) = (s.at, s.reason);
        }
    });

    /// <summary>Records the abort under the lock, for a derived record's own abort change; true when it is the first.</summary>
    protected bool RecordAbort(DateTimeOffset at, string? signal)
    {
        if (_abortObservedAt is not null)
        {
            return false;
        }
        _abortObservedAt = at;
        _abortSignalPending = signal == AbortSignals.Pending;
        _abortSignal = _abortSignalPending ? null : signal;
        return true;
    }

    /// <summary>
    /// Changes the record under its lock (<paramref name="change"/> gets it as <typeparamref name="TSelf"/>, the derived
    /// type) and publishes the result to the ledger's watchers, still under the lock.
    /// </summary>
    protected void Update<TSelf, TArg>(TSelf self, TArg arg, Action<TSelf, TArg> change)
        where TSelf : AuditedRequest
    {
        lock (_gate)
        {
            change(self, arg);
            PublishLocked();
        }
    }

    /// <summary>Publishes the current state to the watchers (under the lock), for a change a derived record made without <see cref="Update"/>.</summary>
    protected void PublishChange()
    {
        if (Ledger.HasWatchers)
        {
            lock (_gate)
            {
                PublishLocked();
            }
        }
    }

    /// <summary>The entry as it stands, a snapshot of its own; called under the lock. A derived record adds its fields to it.</summary>
    protected virtual RequestEntry Current() => _start with
    {
        EndedAt = _endedAt,
        Outcome = _outcome,
        StatusCode = _statusCode,
        AbortObservedAt = _abortObservedAt,
        AbortSignal = _abortSignal,
        StoppedAt = _stoppedAt,
        StopReason = _stopReason,
        Operations = _operations is null ? null : Operations(),
    };

    private List<OperationEntry> Operations()
    {
        var now = Ledger.Clock.GetUtcNow();
        var threshold = Ledger.Options.RanOnThreshold.TotalMilliseconds;
        var entries = new List<OperationEntry>(_operations!.Count);
        foreach (var op in _operations)
        {
            var afterAbort = RequestEntry.Between(_abortObservedAt, op.EndedAt);
            var ranOn = _abortObservedAt is { } abort && ((op.EndedAt ?? now) - abort).TotalMilliseconds > threshold;
            entries.Add(new OperationEntry(op.Name, op.Source, op.StartedAt, op.EndedAt, op.Ending, afterAbort, ranOn));
        }
        return entries;
    }

    // ---- What the audit middleware and the operation tracker do ------------------------------------------------

    /// <summary>What the RequestAborted callback reads to tell how the client went.</summary>
    internal void Watch(ConnectionSignal? connection, bool http2, CancellationToken timeout, CancellationToken stopping) =>
        _watched = new Watched(connection, http2, timeout, stopping);

    /// <summary>RequestAborted fired: when, and how the server was told.</summary>
    internal void ClientGone()
    {
        var watched = _watched;
        var signal = watched is null ? null
            : watched.Timeout.IsCancellationRequested ? AbortSignals.Timeout
            : watched.Stopping.IsCancellationRequested ? AbortSignals.Shutdown
            : watched.Connection?.ClosedWith is { } closed ? closed
            : watched.Http2 ? AbortSignals.RstStream
            : watched.Connection is not null ? AbortSignals.Pending
            : null;
        AbortObserved(Ledger.Clock.GetUtcNow(), signal);
    }

    internal object? OperationStarted(Activity activity)
    {
        var op = new Operation(this, activity.DisplayName, activity.Source.Name, new DateTimeOffset(activity.StartTimeUtc, TimeSpan.Zero));
        Update(this, op, static (r, op) =>
        {
            (r._operations ??= []).Add(op);
            r._running++;
        });
        return op;
    }

    internal static void OperationStopped(object state, Activity activity)
    {
        if (state is not Operation op)
        {
            return;
        }
        var request = op.Request;
        var ended = new DateTimeOffset(activity.StartTimeUtc + activity.Duration, TimeSpan.Zero);
        var ending = Endings.Of(activity);
        Action<AuditedRequest>? settled = null;
        lock (request._gate)
        {
            (op.EndedAt, op.Ending) = (ended, ending);
            request._running--;
            if (request._ended && request._running == 0)
            {
                (settled, request._settled) = (request._settled, null);
            }
            request.PublishLocked();
        }
        settled?.Invoke(request);
    }

    /// <summary>
    /// The pipeline is done: the outcome is recorded, and once no operation of the request is running any more,
    /// <paramref name="settled"/> runs (at once, or when the last one stops).
    /// </summary>
    internal void End(RequestOutcome outcome, int statusCode, DateTimeOffset at, Action<AuditedRequest>? settled)
    {
        Action<AuditedRequest>? now = null;
        lock (_gate)
        {
            (_outcome, _statusCode, _endedAt, _ended) = (outcome, statusCode, at, true);
            if (_running == 0)
            {
                now = settled;
            }
            else
            {
                _settled = settled;
            }
            PublishLocked();
        }
        now?.Invoke(this);
    }

    private void PublishLocked()
    {
        if (Ledger.HasWatchers)
        {
            Ledger.Publish(Current());
        }
    }

    private sealed record Watched(ConnectionSignal? Connection, bool Http2, CancellationToken Timeout, CancellationToken Stopping);

    private sealed class Operation(AuditedRequest request, string name, string source, DateTimeOffset startedAt)
    {
        public AuditedRequest Request { get; } = request;

        public string Name { get; } = name;

        public string Source { get; } = source;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public DateTimeOffset? EndedAt { get; set; }

        public string Ending { get; set; } = Endings.Running;
    }
}
