using CancelDemo.Server.Ledger;
using CancelDemo.Server.Work;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CancelDemo.Server.Endpoints;

/// <summary>/http1 and /http2: the seed's costly-operation loop. Both accept any protocol.</summary>
public static class WorkApi
{
    public static IEndpointRouteBuilder MapWorkApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Work").RecordInLedger();
        group.MapGet("/http1", RunAsync).WithName("Http1")
            .WithSummary("The costly-operation loop (the seed's HTTP/1.1 endpoint; any protocol works).");
        group.MapGet("/http2", RunAsync).WithName("Http2")
            .WithSummary("The costly-operation loop (the seed's HTTP/2 endpoint; any protocol works).");
        return app;
    }

    /// <summary>Runs <c>iterations</c> steps, checking the token inside every step.</summary>
    public static async Task<Results<Ok<WorkCompleted>, ClientClosedResult, ValidationProblem, ProblemHttpResult>> RunAsync(
        [AsParameters] WorkQuery query,
        HttpContext context,
        CostlyOperation operation,
        StopSignals stops,
        TimeProvider clock,
        ILogger<CostlyOperation> logger,
        CancellationToken requestAborted)
    {
        var errors = new QueryErrors();
        if (WorkRequest.Parse(query, errors) is not { } request)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var tracked = context.GetTrackedRequest();
        tracked.PlanIterations(request.Iterations);
        var started = clock.GetTimestamp();
        using var stop = stops.For(context, request.Timeout);
        var i = 0;
        try
        {
            for (; i < request.Iterations; i++)
            {
                await operation.RunStepAsync(request.Kind, request.Step, stop.Token);
                WorkLog.Working(logger, i);
                tracked.IterationCompleted();
            }
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            return Stopped(stop.MarkStopped(), i, request, logger);
        }

        return TypedResults.Ok(new WorkCompleted("Task completed successfully", i, clock.GetElapsedTime(started).TotalMilliseconds));
    }

    private static Results<Ok<WorkCompleted>, ClientClosedResult, ValidationProblem, ProblemHttpResult> Stopped(
        StopReason reason, int iteration, WorkRequest request, ILogger logger)
    {
        switch (reason)
        {
            case StopReason.TimedOut:
                WorkLog.TimedOut(logger, iteration);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status504GatewayTimeout,
                    title: "Server-side timeout",
                    detail: $"The work stopped after {iteration} of {request.Iterations} iterations: timeoutMs={request.Timeout?.TotalMilliseconds} passed.");
            case StopReason.Shutdown:
                WorkLog.ShuttingDown(logger, iteration);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Server shutting down",
                    detail: $"The work stopped after {iteration} of {request.Iterations} iterations because the server is stopping.");
            default:
                WorkLog.ClientDisconnected(logger, iteration);
                return new ClientClosedResult(iteration);
        }
    }
}

/// <summary>The seed's success body, with what was done.</summary>
public sealed record WorkCompleted(string Status, int IterationsCompleted, double ElapsedMs);
