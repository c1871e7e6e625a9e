using System.Globalization;
using CancelDemo.Server.Diagnostics;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// One line per request, like the seed's GIN log: status | duration | address | method "path" protocol | outcome | id.
/// Everything the client chose is escaped (<see cref="LogText"/>).
/// </summary>
public static partial class RequestSummary
{
    public static void Log(ILogger logger, HttpContext context, int statusCode, TimeSpan elapsed, RequestOutcome outcome, string requestId) =>
        LogLine(logger, statusCode, elapsed.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture),
            context.Connection.RemoteIpAddress?.ToString() ?? "-", LogText.Escape(context.Request.Method), LogText.Escape(context.Request.Path.Value ?? "/"),
            LogText.Escape(context.Request.Protocol), outcome.Name(), LogText.Escape(requestId));

    // Information even for 499 and 400: a client giving up or making a mistake is normal traffic.
    [LoggerMessage(10, LogLevel.Information, "{StatusCode} | {Elapsed}s | {RemoteAddress} | {Method} \"{Path}\" {Protocol} | {Outcome} | {RequestId}")]
    private static partial void LogLine(ILogger logger, int statusCode, string elapsed, string remoteAddress, string method, string path, string protocol, string outcome, string requestId);
}
