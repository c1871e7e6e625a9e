namespace CancelDemo.Server.Ledger;

/// <summary>The server's own account of one request: an immutable snapshot.</summary>
/// <param name="Id">The client's X-Request-Id, or one the server made.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Protocol">"HTTP/1.1" or "HTTP/2": what really arrived, whatever the path says.</param>
/// <param name="ConnectionId">Kestrel's connection id; HTTP/2 streams on one connection share it.</param>
/// <param name="RemoteEndPoint">The client's address and port.</param>
/// <param name="StartedAt">When the request reached the ledger.</param>
/// <param name="EndedAt">When the pipeline finished with it, else null.</param>
/// <param name="Outcome">running, completed, clientAborted, timedOut, shutdown or failed.</param>
/// <param name="StatusCode">The recorded status (499 for a client abort), else null while running.</param>
/// <param name="IterationsPlanned">Steps the work was asked to run.</param>
/// <param name="IterationsCompleted">Steps it finished.</param>
/// <param name="BytesWritten">Response bytes the handler handed to the server.</param>
/// <param name="AbortObservedAt">When the request-aborted token fired, else null.</param>
/// <param name="StoppedAt">When the work stopped after a stop signal (abort, timeout, shutdown), else null.</param>
/// <param name="WriteFailed">A response write failed because the client was gone.</param>
/// <param name="BytesWrittenAtAbort">BytesWritten when the abort was observed, else null.</param>
/// <param name="PeerSilentMs">At the abort, how long the peer had been silent (Linux TCP_INFO), else null.</param>
/// <param name="StopReason">Why the work stopped early (clientAborted, timedOut, shutdown), else null.</param>
/// <param name="AbortSource">
/// "client" when the peer said goodbye (FIN, RST, RST_STREAM, GOAWAY), however long it had been quiet;
/// "deadPeer" when the server gave up on a peer that had stopped answering (the watchdog, an HTTP/2 ping
/// timeout); null when unknown or not aborted.
/// </param>
/// <param name="AbortSignal">How the abort reached the server: FIN, RST, RST_STREAM (an HTTP/2 stream reset on a
/// connection that lives on) or silence (a dead peer); null when unknown or not aborted.</param>
/// <param name="TraceId">The W3C trace id of the request (from its traceparent, which /chain forwards to the next hop).</param>
/// <param name="ParentId">The calling hop's request id (X-Parent-Request-Id), for a downstream hop of /chain.</param>
/// <param name="Downstream">The next hop this request called (/chain).</param>
/// <param name="Query">The PostgreSQL statement this request ran (/query).</param>
public sealed record LedgerEntry(
    string Id,
    string Method,
    string Path,
    string Protocol,
    string ConnectionId,
    string? RemoteEndPoint,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    RequestOutcome Outcome,
    int? StatusCode,
    int IterationsPlanned,
    int IterationsCompleted,
    long BytesWritten,
    DateTimeOffset? AbortObservedAt,
    DateTimeOffset? StoppedAt,
    bool WriteFailed = false,
    long? BytesWrittenAtAbort = null,
    double? PeerSilentMs = null,
    StopReason? StopReason = null,
    string? AbortSource = null,
    string? AbortSignal = null,
    string? TraceId = null,
    string? ParentId = null,
    DownstreamCall? Downstream = null,
    QueryRecord? Query = null)
{
    /// <summary>Milliseconds from the abort signal to the work stopping, when both are known.</summary>
    public double? AbortToStopMs => Between(AbortObservedAt, StoppedAt);

    internal static double? Between(DateTimeOffset? abortObservedAt, DateTimeOffset? stoppedAt) =>
        abortObservedAt is { } a && stoppedAt is { } s ? (s - a).TotalMilliseconds : null;
}
