namespace CancelDemo.Server.Ledger;

/// <summary>
/// One summary line per request, recorded or not (<see cref="RequestSummary"/>): for a request the ledger recorded, its
/// outcome as the ledger decided it; for any other, decided the same way from what the pipeline saw.
/// </summary>
public sealed class RequestSummaryMiddleware(RequestDelegate next, TimeProvider clock, ILogger<RequestSummaryMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = clock.GetTimestamp();
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
            var (outcome, status) = context.Features.Get<AuditedRequest>()?.Ending is { Outcome: not RequestOutcome.Running } recorded
                ? (recorded.Outcome, recorded.StatusCode ?? context.Response.StatusCode)
                : OutcomeRules.Decide(context.Response.StatusCode, StopReason.None, context.RequestAborted.IsCancellationRequested, threw);
            RequestSummary.Log(logger, context, status, clock.GetElapsedTime(started), outcome,
                context.Features.Get<RequestIdFeature>()?.Id ?? context.TraceIdentifier);
        }
    }
}
