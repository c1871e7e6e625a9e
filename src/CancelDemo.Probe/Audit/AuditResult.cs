namespace CancelDemo.Probe.Audit;

/// <summary>One operation of an audited request, as the audit reports it.</summary>
/// <param name="Name">The operation's name (its activity's display name).</param>
/// <param name="Source">Who reported it: System.Net.Http, Npgsql, Grpc.Net.Client, or the app's own source.</param>
/// <param name="EndedAfterAbortMs">How long after the server's abort it ended; null while it still ran when the audit looked.</param>
/// <param name="Ending">completed, cancelled, failed or running.</param>
/// <param name="RanOn">It ended, or still ran, more than the threshold after the abort.</param>
public sealed record AuditOperation(string Name, string Source, double? EndedAfterAbortMs, string Ending, bool RanOn);

/// <summary>One endpoint over one protocol: did the server notice the cancel, and did its work stop?</summary>
/// <param name="Path">The path and query audited.</param>
/// <param name="Protocol">1.1, 2 or h2c.</param>
/// <param name="RequestId">The X-Request-Id sent: the ledger entry to read.</param>
/// <param name="NoticedMs">From the client's cancel to the server's RequestAborted, same machine, same clock; null if never.</param>
/// <param name="HandlerEndedAfterAbortMs">From the abort to the handler's end; null if it still ran when the audit stopped looking.</param>
/// <param name="Operations">Every operation the request started.</param>
/// <param name="Verdict">stops, leaks, notNoticed, or answered (the endpoint finished before the cancel: nothing to audit).</param>
/// <param name="Note">Why, when the verdict needs a word.</param>
public sealed record AuditResult(
    string Path,
    string Protocol,
    string RequestId,
    double? NoticedMs,
    double? HandlerEndedAfterAbortMs,
    IReadOnlyList<AuditOperation> Operations,
    string Verdict,
    string? Note = null)
{
    public const string Stops = "stops";
    public const string Leaks = "leaks";
    public const string NotNoticed = "notNoticed";
    public const string Answered = "answered";
}
