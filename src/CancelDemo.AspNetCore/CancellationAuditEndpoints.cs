using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CancelDemo.AspNetCore;

/// <summary>The ledger's endpoints (the contract of docs/ledger-contract.md).</summary>
public static class CancellationAuditEndpoints
{
    private const int MaxLimit = 1000;
    private const int DefaultLimit = 50;

    /// <summary>
    /// The ledger, as the contract in docs/ledger-contract.md: GET {prefix} (recent requests, newest first, ?limit=1-1000),
    /// GET {prefix}/{id} and GET {prefix}/events (every change as Server-Sent Events). Also puts the audit's middleware
    /// in the pipeline, here: call it on the app, after any UseRouting, before app.Run().
    /// </summary>
    public static RouteGroupBuilder MapCancellationAudit(this IEndpointRouteBuilder endpoints, string prefix = "/requests")
    {
        if (endpoints is not IApplicationBuilder app)
        {
            throw new InvalidOperationException("Call MapCancellationAudit on the app itself (app.MapCancellationAudit()): it also adds the audit's middleware to the app's pipeline.");
        }
        if (endpoints.ServiceProvider.GetService<CancellationLedger>() is null)
        {
            throw new InvalidOperationException("MapCancellationAudit needs builder.Services.AddCancellationAudit() first.");
        }
        app.UseMiddleware<CancellationAuditMiddleware>();
        var group = endpoints.MapGroup(prefix).WithTags("Ledger").WithMetadata(new CancellationAuditEndpointMetadata());
        group.MapGet("", List).WithName("ListRequests").WithSummary("Recent requests, newest first (?limit=1-1000, default 50).")
            .Produces<RequestEntry[]>().ProducesValidationProblem();
        group.MapGet("/events", Events).WithName("RequestEvents").Produces<RequestEntry>(StatusCodes.Status200OK, "text/event-stream")
            .WithSummary("Every ledger change as Server-Sent Events: first 'ready' (subscribed), then 'entry' with the entry as data.");
        group.MapGet("/{id}", Get).WithName("GetRequest").Produces<RequestEntry>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One request by its id (X-Request-Id).");
        return group;
    }

    private static IResult List(HttpContext context, CancellationLedger ledger)
    {
        var raw = context.Request.Query["limit"];
        var limit = DefaultLimit;
        if (raw.Count > 0 && !(raw.Count == 1 && int.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxLimit))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"Give one whole number from 1 to {MaxLimit} (the newest entries to return); left out, {DefaultLimit}."],
            });
        }
        // Each entry as what it is: an app's own entry type writes its own fields too.
        return TypedResults.Json<object[]>([.. ledger.Recent(limit)], AuditJson.Options);
    }

    private static IResult Get(string id, CancellationLedger ledger) =>
        ledger.Find(id) is { } entry
            ? TypedResults.Json<object>(entry, AuditJson.Options)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such request",
                detail: $"The ledger has no request '{id}'; it keeps only the most recent ones.");

    /// <summary>
    /// Subscribes first, then says 'ready' (flushing the headers, so EventSource opens at once): a client that has seen
    /// it cannot miss a later change. The feed lasts until the subscriber leaves or the host stops; however it ends is
    /// normal traffic, and nothing is thrown.
    /// </summary>
    private static async Task Events(HttpContext context, CancellationLedger ledger, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var subscription = ledger.Subscribe();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await WriteAsync(context, "ready", "", ends.Token);
            await foreach (var entry in subscription.ReadAllAsync(ends.Token))
            {
                await WriteAsync(context, "entry", JsonSerializer.Serialize<object>(entry, AuditJson.Options), ends.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // ConnectionAbortedException and ConnectionResetException are among these: the subscriber is gone.
            AuditLog.SubscriberGone(loggers.CreateLogger(typeof(CancellationAuditEndpoints).FullName!), e.GetType().Name);
        }
    }

    private static async Task WriteAsync(HttpContext context, string name, string data, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {data}\n\n", Encoding.UTF8, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
