using System.Text.Json.Serialization;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// The server's account of one request: the audit package's entry (<see cref="RequestEntry"/>: the request, its abort,
/// its end, its operations) and what the server's own work did, written after the package's fields. An immutable snapshot.
/// </summary>
/// <param name="Id">As in <see cref="RequestEntry"/>.</param>
/// <param name="Method">As in <see cref="RequestEntry"/>.</param>
/// <param name="Path">As in <see cref="RequestEntry"/>.</param>
/// <param name="Protocol">As in <see cref="RequestEntry"/>.</param>
/// <param name="ConnectionId">As in <see cref="RequestEntry"/>.</param>
/// <param name="RemoteEndPoint">As in <see cref="RequestEntry"/>.</param>
/// <param name="StartedAt">As in <see cref="RequestEntry"/>.</param>
/// <param name="EndedAt">As in <see cref="RequestEntry"/>.</param>
/// <param name="Outcome">As in <see cref="RequestEntry"/>.</param>
/// <param name="StatusCode">As in <see cref="RequestEntry"/>.</param>
/// <param name="AbortObservedAt">As in <see cref="RequestEntry"/>.</param>
/// <param name="StoppedAt">As in <see cref="RequestEntry"/>.</param>
/// <param name="StopReason">As in <see cref="RequestEntry"/>.</param>
/// <param name="AbortSignal">As in <see cref="RequestEntry"/>.</param>
/// <param name="TraceId">As in <see cref="RequestEntry"/>.</param>
/// <param name="ParentId">As in <see cref="RequestEntry"/>.</param>
/// <param name="Route">As in <see cref="RequestEntry"/>.</param>
/// <param name="Operations">As in <see cref="RequestEntry"/>.</param>
/// <param name="IterationsPlanned">Steps the work was asked to run.</param>
/// <param name="IterationsCompleted">Steps it finished.</param>
/// <param name="BytesWritten">Response bytes the handler handed to the server.</param>
/// <param name="WriteFailed">A response write failed because the client was gone.</param>
/// <param name="BytesWrittenAtAbort">BytesWritten when the abort was observed, else null.</param>
/// <param name="PeerSilentMs">At the abort, how long the peer had been silent (Linux TCP_INFO), else null.</param>
/// <param name="AbortSource">
/// "client" when the peer said goodbye (FIN, RST, RST_STREAM, GOAWAY), however long it had been quiet; "deadPeer" when
/// the server gave up on a peer that had stopped answering (the watchdog, an HTTP/2 ping timeout); null when unknown or
/// not aborted.
/// </param>
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
    [property: JsonPropertyOrder(1)] int IterationsPlanned,
    [property: JsonPropertyOrder(1)] int IterationsCompleted,
    [property: JsonPropertyOrder(1)] long BytesWritten,
    DateTimeOffset? AbortObservedAt,
    DateTimeOffset? StoppedAt,
    [property: JsonPropertyOrder(1)] bool WriteFailed = false,
    [property: JsonPropertyOrder(1)] long? BytesWrittenAtAbort = null,
    [property: JsonPropertyOrder(1)] double? PeerSilentMs = null,
    StopReason? StopReason = null,
    [property: JsonPropertyOrder(1)] string? AbortSource = null,
    string? AbortSignal = null,
    string? TraceId = null,
    string? ParentId = null,
    [property: JsonPropertyOrder(1)] DownstreamCall? Downstream = null,
    [property: JsonPropertyOrder(1)] QueryRecord? Query = null,
    string? Route = null,
    IReadOnlyList<OperationEntry>? Operations = null)
    : RequestEntry(Id, Method, Path, Protocol, ConnectionId, RemoteEndPoint, StartedAt, EndedAt, Outcome, StatusCode, AbortObservedAt,
        AbortSignal, TraceId, ParentId, Route, Operations, StoppedAt, StopReason)
{
    /// <summary>The server's entry as a recorded request starts.</summary>
    public static LedgerEntry Starting(RequestStart start) => new(start.Id, start.Method, start.Path, start.Protocol, start.ConnectionId,
        start.RemoteEndPoint, start.StartedAt, EndedAt: null, RequestOutcome.Running, StatusCode: null, IterationsPlanned: 0,
        IterationsCompleted: 0, BytesWritten: 0, AbortObservedAt: null, StoppedAt: null, TraceId: start.TraceId, ParentId: start.ParentId,
        Route: start.Route);
}
