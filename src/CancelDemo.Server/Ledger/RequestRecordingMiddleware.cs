using CancelDemo.Server.DeadPeer;
using CancelDemo.Server.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// Records each request: its ledger entry (for endpoints marked <see cref="RecordInLedgerMetadata"/>),
/// its outcome and metrics, and one summary line in the log.
/// </summary>
public sealed class RequestRecordingMiddleware(
    RequestDelegate next,
    RequestLedger ledger,
    CancelDemoMetrics metrics,
    TimeProvider clock,
    IProblemDetailsService problems,
    ILogger<RequestRecordingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var ids = context.Features.Get<RequestIdFeature>();
        var id = ids?.Id ?? context.TraceIdentifier;
        var started = clock.GetTimestamp();
        TrackedRequest? tracked = null;
        if (context.GetEndpoint()?.Metadata.GetMetadata<RecordInLedgerMetadata>() is not null && (tracked = StartEntry(context, id, ids?.ParentId)) is null)
        {
            await RejectDuplicateAsync(context, id);
            RequestSummary.Log(logger, context, StatusCodes.Status409Conflict, clock.GetElapsedTime(started), RequestOutcome.Failed, id);
            return;
        }
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
            var stop = tracked?.Stop ?? (StopReason.None, null);
            var (outcome, status) = OutcomeRules.Decide(context.Response.StatusCode, stop.Reason, context.RequestAborted.IsCancellationRequested, threw);
            var elapsed = clock.GetElapsedTime(started);
            if (tracked is not null)
            {
                if (tracked.AbortSignalPending && context.Features.Get<PeerWatch>() is { } peer)
                {
                    // Rare: the abort was noticed before the transport had read the FIN or RST behind it.
                    tracked.AbortSignalLearned(await peer.ClosedAsync(TimeSpan.FromSeconds(1)));
                }
                // Counted before the end is visible: whoever sees the request ended in the ledger finds it in the metrics.
                metrics.RequestEnded(tracked.Protocol, Route(context), stop.AbortToStopMs, outcome, elapsed);
                tracked.End(outcome, status, clock.GetUtcNow());
            }
            RequestSummary.Log(logger, context, status, elapsed, outcome, id);
        }
    }

    /// <summary>The route pattern the request matched ("/http1" for /HTTP1 and /http1/ alike): a metric's tag must not grow with what clients send.</summary>
    private static string Route(HttpContext context) => (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(none)";

    private TrackedRequest? StartEntry(HttpContext context, string id, string? parentId)
    {
        var connection = context.Connection;
        var tracked = ledger.TryStart(new LedgerEntry(
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
            StoppedAt: null,
            TraceId: System.Diagnostics.Activity.Current?.TraceId.ToHexString(),
            ParentId: parentId));
        context.Features.Set(tracked);
        return tracked;
    }

    private ValueTask RejectDuplicateAsync(HttpContext context, string id)
    {
        context.Response.StatusCode = StatusCodes.Status409Conflict;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Request id in use",
                Detail = $"A request with {RequestId.Header} '{id}' is still running. An id names one request at a time: " +
                         "send another id, or none and the server makes one.",
            },
        });
    }
}
