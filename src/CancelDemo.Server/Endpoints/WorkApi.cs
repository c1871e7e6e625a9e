using CancelDemo.Server.Diagnostics;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Parameters;
using CancelDemo.Server.Work;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CancelDemo.Server.Endpoints;

/// <summary>/http1 and /http2: the seed's costly-operation loop. Both accept any protocol.</summary>
public static class WorkApi
{
    public static readonly IntQueryParameter Iterations = new("iterations", 1, 1000, 10, "How many steps the costly operation runs.");

    public static readonly IntQueryParameter StepMs = new("stepMs", 1, 60_000, 1000, "How long each step takes, in milliseconds.");

    public static readonly EnumQueryParameter<WorkKind> Work = new("work", WorkKind.Delay,
        "How a step spends its time: 'delay' (a timer) or 'cpu' (busy compute that checks the token).");

    public static readonly IntQueryParameter TimeoutMs = new("timeoutMs", 1, 3_600_000, null,
        "Server-side timeout in milliseconds; when it passes first the request ends with 504.");

    public static IEndpointRouteBuilder MapWorkApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Work").WithQueryParameters(Iterations, StepMs, Work, TimeoutMs)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        group.MapGet("/http1", RunAsync).WithName("Http1")
            .WithSummary("The costly-operation loop (the seed's HTTP/1.1 endpoint; any protocol works).");
        group.MapGet("/http2", RunAsync).WithName("Http2")
            .WithSummary("The costly-operation loop (the seed's HTTP/2 endpoint; any protocol works).");
        return app;
    }

    /// <summary>
    /// Runs <c>iterations</c> steps, checking the stop signal inside every step. The signal is
    /// RequestAborted joined with the server-side timeout and host shutdown, so it is the one token to pass.
    /// </summary>
    public static async Task<Results<Ok<WorkCompleted>, ClientClosedResult, ProblemHttpResult>> RunAsync(
        QueryValues query, StopSignal stop, CostlyOperation operation, WorkLog log, TimeProvider clock)
    {
        var iterations = query.Get(Iterations);
        var step = TimeSpan.FromMilliseconds(query.Get(StepMs));
        var kind = query.Get(Work);
        if (query.GetOptional(TimeoutMs) is { } timeoutMs)
        {
            stop.TimeoutAfter(TimeSpan.FromMilliseconds(timeoutMs));
        }
        stop.Tracked.PlanIterations(iterations);
        // A span of its own (only when something listens): its end and its tags show where the work stopped.
        using var loop = ServerActivities.Source.StartActivity(ServerActivities.CostlyOperation);
        loop?.SetTag(ServerActivities.IterationsTag, iterations);
        var started = clock.GetTimestamp();
        var i = 0;
        try
        {
            for (; i < iterations; i++)
            {
                await operation.RunStepAsync(kind, step, stop.Token);
                log.Working(i);
                stop.Tracked.IterationCompleted();
            }
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            var reason = await stop.StoppedAsync();
            ServerActivities.LoopEnded(loop, i, reason);
            return Stopped(reason, i, iterations, query.GetOptional(TimeoutMs), log);
        }

        ServerActivities.LoopEnded(loop, i, StopReason.None);
        return TypedResults.Ok(new WorkCompleted("Task completed successfully", i, clock.GetElapsedTime(started).TotalMilliseconds));
    }

    private static Results<Ok<WorkCompleted>, ClientClosedResult, ProblemHttpResult> Stopped(
        StopReason reason, int iteration, int iterations, int? timeoutMs, WorkLog log)
    {
        switch (reason)
        {
            case StopReason.TimedOut:
                log.TimedOut(iteration);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status504GatewayTimeout,
                    title: "Server-side timeout",
                    detail: $"The work stopped after {iteration} of {iterations} iterations: timeoutMs={timeoutMs} passed.");
            case StopReason.Shutdown:
                log.ShuttingDown(iteration);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Server shutting down",
                    detail: $"The work stopped after {iteration} of {iterations} iterations because the server is stopping.");
            default:
                log.ClientDisconnected(iteration);
                return new ClientClosedResult(iteration);
        }
    }
}

/// <summary>The seed's success body, with what was done.</summary>
public sealed record WorkCompleted(string Status, int IterationsCompleted, double ElapsedMs);
