using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// Gives every request an id: the client's X-Request-Id when it sends a valid one (else the server's
/// own), echoed in the response headers, and the ledger (the audit package) takes it from here. A malformed one is a
/// 400 naming the header, never replaced.
/// Runs before CORS, so even a preflight's answer carries the id.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, IProblemDetailsService problems, TimeProvider clock, ILogger<RequestIdMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var sent = context.Request.Headers[RequestIds.Header];
        var parent = context.Request.Headers[RequestIds.ParentHeader];
        if (sent.Count > 1 || (sent.Count == 1 && !RequestIds.IsValid(sent.ToString())))
        {
            return RejectAsync(context, RequestIds.Header);
        }
        if (parent.Count > 1 || (parent.Count == 1 && !RequestIds.IsValid(parent.ToString())))
        {
            return RejectAsync(context, RequestIds.ParentHeader);
        }
        return Continue(context, sent.Count == 1 ? sent.ToString() : context.TraceIdentifier, parent.Count == 1 ? parent.ToString() : null);
    }

    private Task Continue(HttpContext context, string id, string? parentId)
    {
        context.Features.Set(new RequestIdFeature(id, parentId));
        context.Response.Headers[RequestIds.Header] = id;
        return next(context);
    }

    private async Task RejectAsync(HttpContext context, string header)
    {
        var started = clock.GetTimestamp();
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [header] = [$"Send one value of 1 to {RequestIds.MaxLength} characters: letters, digits, '-', '_', '.' or ':'."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
            },
        });
        RequestSummary.Log(logger, context, StatusCodes.Status400BadRequest, clock.GetElapsedTime(started), RequestOutcome.Failed, context.TraceIdentifier);
    }
}
