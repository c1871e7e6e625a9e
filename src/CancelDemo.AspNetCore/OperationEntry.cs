namespace CancelDemo.AspNetCore;

/// <summary>One operation a request started (an outgoing HTTP call, a database command, a gRPC call, a span of the app's own).</summary>
/// <param name="Name">The activity's display name, e.g. "GET" or "SELECT shop".</param>
/// <param name="Source">The ActivitySource that reported it: System.Net.Http, Npgsql, Grpc.Net.Client, or the app's own.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended, else null (still running).</param>
/// <param name="Ending">running, completed, cancelled or failed.</param>
/// <param name="EndedAfterAbortMs">How long after the request's abort it ended (negative: before it), else null.</param>
/// <param name="RanOn">It ended, or is still running, more than the threshold after the abort: work the client no longer wanted.</param>
public sealed record OperationEntry(
    string Name,
    string Source,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string Ending,
    double? EndedAfterAbortMs,
    bool RanOn);
