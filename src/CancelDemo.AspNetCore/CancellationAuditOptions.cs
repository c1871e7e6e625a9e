namespace CancelDemo.AspNetCore;

/// <summary>What the cancellation audit records, and how.</summary>
public sealed class CancellationAuditOptions
{
    /// <summary>How many recent requests the ledger keeps (running ones are never forgotten). Default 1000.</summary>
    public int Capacity { get; set; } = 1000;

    /// <summary>
    /// An operation that ends (or is still running) more than this after the request's abort "ran on", and so does a
    /// handler that ends more than this after it. Default 100 ms.
    /// </summary>
    public TimeSpan RanOnThreshold { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The ActivitySources whose activities are a request's operations: outgoing HttpClient calls, Npgsql commands and
    /// gRPC client calls by default; add your own (an ActivitySource's name) to see your spans.
    /// </summary>
    public ISet<string> ActivitySources { get; } = new HashSet<string>(StringComparer.Ordinal) { "System.Net.Http", "Npgsql", "Grpc.Net.Client" };

    /// <summary>
    /// Which requests the ledger records, decided once routing has chosen the endpoint. Default: every request that
    /// matched an endpoint, except the ledger's own.
    /// </summary>
    public Func<HttpContext, bool>? ShouldRecord { get; set; }

    /// <summary>
    /// Read FIN and RST from each Kestrel connection's transport (a copy of its input through a pipe of the package's),
    /// set as Kestrel's endpoint defaults. Without it an abort's signal is only what HTTP/2 says (RST_STREAM). An app
    /// with endpoint defaults of its own turns this off and calls ListenOptions.UseTransportSignals() in them. Default true.
    /// </summary>
    public bool ReadTransportSignals { get; set; } = true;

    /// <summary>
    /// For an app that records more per request (its own <see cref="AuditedRequest"/> and <see cref="RequestEntry"/>
    /// types): makes the request's live record from what the middleware knows at its start.
    /// </summary>
    public Func<RequestStart, CancellationLedger, AuditedRequest>? CreateRequest { get; set; }

    /// <summary>Runs as each recorded request ends, just before its end is visible in the ledger (metrics that a reader of the ledger will find).</summary>
    public Action<HttpContext, AuditedRequest, RequestOutcome, int>? OnEnding { get; set; }
}

/// <summary>What the middleware knows of a request when it starts recording it.</summary>
public sealed record RequestStart(string Id, string? ParentId, string Method, string Path, string? Route, string Protocol, string ConnectionId,
    string? RemoteEndPoint, DateTimeOffset StartedAt, string? TraceId)
{
    /// <summary>The entry as it starts: running, nothing observed yet.</summary>
    public RequestEntry ToEntry() => new(Id, Method, Path, Protocol, ConnectionId, RemoteEndPoint, StartedAt, EndedAt: null, RequestOutcome.Running,
        StatusCode: null, AbortObservedAt: null, TraceId: TraceId, ParentId: ParentId, Route: Route);
}
