namespace CancelDemo.AspNetCore;

/// <summary>
/// What the audit adds to OpenTelemetry: the names to add to a MeterProvider and to alert on. An aborted request's
/// span (ASP.NET Core's activity) gets the event <see cref="ClientAbortedEvent"/>, at the moment RequestAborted
/// fired, with <see cref="AbortSignalTag"/> (FIN, RST, RST_STREAM, silence for a peer that vanished, timeout, shutdown), and at its end the tag
/// <see cref="WorkAfterAbortTag"/>: how long the handler ran on after the abort.
/// </summary>
public static class CancellationAuditTelemetry
{
    /// <summary>The meter: canceldemo.audit.work_after_abort and canceldemo.audit.operations_ran_on, per route.</summary>
    public const string MeterName = "CancelDemo.AspNetCore";

    /// <summary>The event on an aborted request's span, timestamped when RequestAborted fired.</summary>
    public const string ClientAbortedEvent = "canceldemo.client_aborted";

    /// <summary>The event's tag: how the server was told, as the ledger's abortSignal spells it.</summary>
    public const string AbortSignalTag = "canceldemo.abort_signal";

    /// <summary>The span's tag: milliseconds from the abort to the end of the handler.</summary>
    public const string WorkAfterAbortTag = "canceldemo.work_after_abort_ms";
}
