using System.Globalization;
using CancelDemo.Server.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// Gives every request an id (X-Request-Id, echoed back), writes one summary line per request like
/// the seed's GIN log, and keeps the ledger entry of the endpoints that are recorded.
/// </summary>
public sealed partial class RequestRecordingMiddleware(
    RequestDelegate next,
    RequestLedger ledger,
    CancelDemoMetrics metrics,
    TimeProvider clock,
    IProblemDetailsService problems,
    ILogger<RequestRecordingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!TryGetRequestId(context, out var id))
        {
            await RejectRequestIdAsync(context);
            return;
        }
        context.Response.Headers[RequestId.Header] = id;

        var started = clock.GetTimestamp();
        // CORS preflights (OPTIONS) are the browser asking permission, not a request to record.
        var recorded = context.GetEndpoint()?.Metadata.GetMetadata<RecordInLedgerMetadata>() is not null && !HttpMethods.IsOptions(context.Request.Method);
        var tracked = recorded ? StartEntry(context, id) : null;
        var threw = false;
        try
        {
            await next(context);
        }
        catch
        {
            threw = true;
            throw;
        }
        finally
        {
            var (outcome, status) = OutcomeRules.Decide(
                context.Response.StatusCode, tracked?.StopReason ?? StopReason.None, context.RequestAborted.IsCancellationRequested, threw);
            var elapsed = clock.GetElapsedTime(started);
            if (tracked is not null)
            {
                tracked.End(outcome, status, clock.GetUtcNow());
                metrics.RequestEnded(tracked.Snapshot, elapsed);
            }
            LogSummary(logger, status, elapsed.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture),
                context.Connection.RemoteIpAddress?.ToString() ?? "-", context.Request.Method, context.Request.Path.Value ?? "/",
                context.Request.Protocol, System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString()), id);
        }
    }

    private TrackedRequest StartEntry(HttpContext context, string id)
    {
        var connection = context.Connection;
        var tracked = ledger.Start(new LedgerEntry(
            id,
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.Protocol,
            connection.Id,
            connection.RemoteIpAddress is null ? null : $"{connection.RemoteIpAddress}:{connection.RemotePort}",
            clock.GetUtcNow(),
            EndedAt: null,
            RequestOutcome.Running,
            StatusCode: null,
            IterationsPlanned: 0,
            IterationsCompleted: 0,
            BytesWritten: 0,
            AbortObservedAt: null,
            StoppedAt: null));
        context.Features.Set(tracked);
        return tracked;
    }

    private static bool TryGetRequestId(HttpContext context, out string id)
    {
        var sent = context.Request.Headers[RequestId.Header];
        if (sent.Count == 0)
        {
            id = context.TraceIdentifier;
            return true;
        }
        id = sent.ToString();
        return sent.Count == 1 && RequestId.IsValid(id);
    }

    private ValueTask RejectRequestIdAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [RequestId.Header] = [$"Send one value of 1 to {RequestId.MaxLength} characters: letters, digits, '-', '_', '.' or ':'."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
            },
        });
    }

    // Information even for 499: a client giving up is normal traffic.
    [LoggerMessage(10, LogLevel.Information, "{StatusCode} | {Elapsed}s | {RemoteAddress} | {Method} \"{Path}\" {Protocol} | {Outcome} | {RequestId}")]
    private static partial void LogSummary(ILogger logger, int statusCode, string elapsed, string remoteAddress, string method, string path, string protocol, string outcome, string requestId);
}
