namespace CancelDemo.AspNetCore;

/// <summary>
/// The ledger's account of one request: an immutable snapshot, the JSON of GET /requests (docs/ledger-contract.md says
/// what each field means). An app may derive its own entry with more fields; they are written beside these.
/// </summary>
/// <param name="Id">The client's X-Request-Id, or the server's own id.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path, as sent.</param>
/// <param name="Protocol">"HTTP/1.1" or "HTTP/2": what really arrived.</param>
/// <param name="ConnectionId">The server's connection id; HTTP/2 streams on one connection share it.</param>
/// <param name="RemoteEndPoint">The client's address and port.</param>
/// <param name="StartedAt">When the request reached the ledger.</param>
/// <param name="EndedAt">When the handler (the rest of the pipeline) finished with it, else null.</param>
/// <param name="Outcome">running, completed, clientAborted, timedOut, shutdown or failed.</param>
/// <param name="StatusCode">The recorded status (499 for a client abort), else null while running.</param>
/// <param name="AbortObservedAt">When RequestAborted fired, else null.</param>
/// <param name="AbortSignal">How the abort reached the server: FIN, RST, RST_STREAM, silence (the kernel gave up on the
/// peer), timeout (a request timeout), shutdown; null when not aborted or not known.</param>
/// <param name="TraceId">The W3C trace id of the request.</param>
/// <param name="ParentId">The calling service's request id (X-Parent-Request-Id).</param>
/// <param name="Route">The route pattern the request matched, e.g. /orders/{id}.</param>
/// <param name="Operations">Every operation the request started, in start order.</param>
/// <param name="StoppedAt">When the app's work stopped after a stop signal, if the app says (<see cref="AuditedRequest.RecordStop"/>).</param>
/// <param name="StopReason">Why the app stopped its work early (clientAborted, timedOut, shutdown), if it says.</param>
public record RequestEntry(
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
    DateTimeOffset? AbortObservedAt,
    string? AbortSignal = null,
    string? TraceId = null,
    string? ParentId = null,
    string? Route = null,
    IReadOnlyList<OperationEntry>? Operations = null,
    DateTimeOffset? StoppedAt = null,
    StopReason? StopReason = null)
{
    /// <summary>How long the handler ran on after the abort (EndedAt − AbortObservedAt), when both are known.</summary>
    public double? WorkAfterAbortMs => Between(AbortObservedAt, EndedAt);

    /// <summary>Milliseconds from the abort to the app's work stopping, when the app said when it stopped.</summary>
    public double? AbortToStopMs => Between(AbortObservedAt, StoppedAt);

    internal static double? Between(DateTimeOffset? from, DateTimeOffset? to) => from is { } a && to is { } b ? (b - a).TotalMilliseconds : null;
}
