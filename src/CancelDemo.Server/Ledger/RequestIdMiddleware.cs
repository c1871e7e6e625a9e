using Microsoft.AspNetCore.Mvc;

namespace CancelDemo.Server.Ledger;

/// <summary>The request's id, as the X-Request-Id middleware settled it, and the calling hop's id if one was sent.</summary>
public sealed record RequestIdFeature(string Id, string? ParentId);

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
        var parent = context.Request.Headers[RequestId.ParentHeader];
        if (sent.Count > 1 || (sent.Count == 1 && !RequestId.IsValid(sent.ToString())))
        {
            return RejectAsync(context, RequestId.Header);
        }
        if (parent.Count > 1 || (parent.Count == 1 && !RequestId.IsValid(parent.ToString())))
        {
            return RejectAsync(context, RequestId.ParentHeader);
        }
        return Continue(context, sent.Count == 1 ? sent.ToString() : context.TraceIdentifier, parent.Count == 1 ? parent.ToString() : null);
    }

    private Task Continue(HttpContext context, string id, string? parentId)
    {
        context.Features.Set(new RequestIdFeature(id, parentId));
        context.Response.Headers[RequestId.Header] = id;
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
                [header] = [$"Send one value of 1 to {RequestId.MaxLength} characters: letters, digits, '-', '_', '.' or ':'."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
            },
        });
        RequestSummary.Log(logger, context, StatusCodes.Status400BadRequest, clock.GetElapsedTime(started), RequestOutcome.Failed, context.TraceIdentifier);
    }
}
