using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Ledger;

/// <summary>The request's id, as the X-Request-Id middleware settled it.</summary>
public sealed record RequestIdFeature(string Id);

/// <summary>
/// Gives every request an id: the client's X-Request-Id when it sends a valid one (else the server's
/// own), echoed in the response headers. A malformed one is a 400 naming the header, never replaced.
/// Runs before CORS, so even a preflight's answer carries the id.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, IProblemDetailsService problems, TimeProvider clock, ILogger<RequestIdMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var sent = context.Request.Headers[RequestId.Header];
        if (sent.Count == 0)
        {
            return Continue(context, context.TraceIdentifier);
        }
        if (sent.Count == 1 && RequestId.IsValid(sent.ToString()))
        {
            return Continue(context, sent.ToString());
        }
        return RejectAsync(context);
    }

    private Task Continue(HttpContext context, string id)
    {
        context.Features.Set(new RequestIdFeature(id));
        context.Response.Headers[RequestId.Header] = id;
        return next(context);
    }

    private async Task RejectAsync(HttpContext context)
    {
        var started = clock.GetTimestamp();
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await problems.WriteAsync(new ProblemDetailsContext
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
        RequestSummary.Log(logger, context, StatusCodes.Status400BadRequest, clock.GetElapsedTime(started), RequestOutcome.Failed, context.TraceIdentifier);
    }
}
