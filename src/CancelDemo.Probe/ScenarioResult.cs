namespace CancelDemo.Probe;

/// <summary>One scenario's measurement: what the client did and what the server's ledger says it saw.</summary>
public sealed record ScenarioResult(
    string Scenario,
    string Protocol,
    string RequestId,
    bool ServerNoticed,
    string? Outcome,
    int? StatusCode,
    string? ServerProtocol,
    double? AbortToStopMs,
    double? CancelToNoticedMs,
    string Unit,
    long? WorkAtCancel,
    long? WorkTotal,
    long ClientReceivedBytes,
    bool? ConnectionReused,
    string ClientError,
    string? Note = null)
{
    /// <summary>Iterations, chunks or bytes the server still produced after the client cancelled.</summary>
    public long? WorkAfterCancel => WorkTotal is { } total && WorkAtCancel is { } atCancel ? Math.Max(0, total - atCancel) : null;

    /// <summary>The server should have noticed and did not: every scenario gives up on a request the server should see end.</summary>
    public bool Missed => !ServerNoticed;
}
