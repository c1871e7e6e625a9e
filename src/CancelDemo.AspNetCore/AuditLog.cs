using Microsoft.Extensions.Logging;

namespace CancelDemo.AspNetCore;

internal static partial class AuditLog
{
    // Work that outlived the client is worth knowing, but the abort itself is normal traffic: Information, never more.
    [LoggerMessage(900, LogLevel.Information, "Work ran on after the client aborted {Method} {Route} (request {RequestId}, {Signal}): the handler ended {HandlerMs} ms after the abort; {Operations}")]
    public static partial void RanOn(ILogger logger, string method, string route, string requestId, string signal, string handlerMs, string operations);

    [LoggerMessage(901, LogLevel.Debug, "The client aborted {Method} {Route} (request {RequestId}, {Signal}); everything stopped within {HandlerMs} ms")]
    public static partial void Stopped(ILogger logger, string method, string route, string requestId, string signal, string handlerMs);

    [LoggerMessage(902, LogLevel.Information, "A ledger feed subscriber went away while an event was being written ({Exception}).")]
    public static partial void SubscriberGone(ILogger logger, string exception);
}
