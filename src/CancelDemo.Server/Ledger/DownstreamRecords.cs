namespace CancelDemo.Server.Ledger;

/// <summary>What a /query did in the database, as the server saw it.</summary>
/// <param name="Api">npgsql or efcore.</param>
/// <param name="Kind">sleep (pg_sleep) or compute (CPU-bound SQL).</param>
/// <param name="Seconds">How long the statement runs if nobody stops it.</param>
/// <param name="Propagated">The request's stop token was passed to the query (false: the anti-pattern).</param>
/// <param name="BackendPid">The PostgreSQL backend the connection talked to (behind pgbouncer: pgbouncer's id).</param>
/// <param name="StartedAt">When the statement was sent.</param>
/// <param name="CancelRequestedAt">When the stop token fired while the statement ran: Npgsql sends PostgreSQL a cancel request then.</param>
/// <param name="EndedAt">When the statement ended: its result, or the error that ended it, arrived.</param>
/// <param name="Ending">completed, cancelled (SQLSTATE 57014), broken (the physical connection was broken), or failed.</param>
/// <param name="SqlState">PostgreSQL's SQLSTATE when it ended with an error.</param>
/// <param name="ConnectionHealthy">The connection was open and usable after the statement, so it went back to the pool.</param>
public sealed record QueryRecord(
    string Api,
    string Kind,
    int Seconds,
    bool Propagated,
    int? BackendPid = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? CancelRequestedAt = null,
    DateTimeOffset? EndedAt = null,
    string? Ending = null,
    string? SqlState = null,
    bool? ConnectionHealthy = null);

/// <summary>The next hop a /chain called.</summary>
/// <param name="RequestId">The X-Request-Id the hop was called with: its own ledger entry's id.</param>
/// <param name="Url">Where it was called.</param>
/// <param name="Protocol">HTTP/1.1 or HTTP/2, as sent.</param>
/// <param name="CalledAt">When the call was sent.</param>
/// <param name="CancelledAt">When the stop token, or the caller's callTimeoutMs, cancelled the call (HTTP/1.1: its connection closed; HTTP/2: RST_STREAM).</param>
/// <param name="EndedAt">When the call ended: the response, the cancellation or the failure.</param>
/// <param name="StatusCode">The hop's status, when it answered.</param>
/// <param name="Ending">completed, cancelled (the request's stop signal), timedOut (callTimeoutMs passed) or failed.</param>
public sealed record DownstreamCall(
    string RequestId,
    string Url,
    string Protocol,
    DateTimeOffset CalledAt,
    DateTimeOffset? CancelledAt = null,
    DateTimeOffset? EndedAt = null,
    int? StatusCode = null,
    string? Ending = null);
