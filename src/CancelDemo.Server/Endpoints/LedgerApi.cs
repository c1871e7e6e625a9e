using System.Net.ServerSentEvents;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Parameters;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CancelDemo.Server.Endpoints;

/// <summary>The server's own account of recent requests.</summary>
public static class LedgerApi
{
    public static readonly IntQueryParameter Limit = new("limit", 1, 1000, 50, "How many entries to return, newest first.");

    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/requests").WithTags("Ledger");
        group.MapGet("", List).WithName("ListRequests").WithQueryParameters(Limit).WithSummary("Recent requests, newest first.");
        group.MapGet("/events", Events).WithName("RequestEvents")
            .Produces<LedgerEntry>(StatusCodes.Status200OK, "text/event-stream")
            .WithSummary("Every ledger change as Server-Sent Events: first 'ready' (subscribed), then 'entry' with the entry as data.");
        group.MapGet("/{id}", Get).WithName("GetRequest").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One request by its id (X-Request-Id).");
        return app;
    }

    public static Ok<IReadOnlyList<LedgerEntry>> List(QueryValues query, RequestLedger ledger) => TypedResults.Ok(ledger.Recent(query.Get(Limit)));

    public static Results<Ok<LedgerEntry>, ProblemHttpResult> Get(string id, RequestLedger ledger) =>
        ledger.Find(id) is { } entry
            ? TypedResults.Ok(entry)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such request",
                detail: $"The ledger has no request '{id}'; it keeps only the most recent ones.");

    /// <summary>
    /// The feed lasts until the subscriber leaves or the host stops; it only waits, so it ends at once on
    /// shutdown instead of holding the host for its shutdown timeout. However it ends (the subscriber gone,
    /// reset, vanished, or a write that finds its connection closed) is normal traffic: nothing is thrown.
    /// </summary>
    public static async Task Events(HttpContext context, RequestLedger ledger, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            await TypedResults.ServerSentEvents(Stream(ledger, ends.Token)).ExecuteAsync(context);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // ConnectionAbortedException and ConnectionResetException are among these: the subscriber is gone.
            LedgerLog.SubscriberGone(loggers.CreateLogger(typeof(LedgerApi).FullName!), e.GetType().Name);
        }
    }

    /// <summary>
    /// Subscribes first, then says 'ready': the event flushes the response headers (so EventSource
    /// opens at once), and a client that has seen it cannot miss any later change.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<LedgerEntry?>> Stream(RequestLedger ledger, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = ledger.Subscribe();
        yield return new SseItem<LedgerEntry?>(null, "ready");
        await foreach (var entry in subscription.ReadAllAsync(cancellationToken))
        {
            yield return new SseItem<LedgerEntry?>(entry, "entry");
        }
    }
}

internal static partial class LedgerLog
{
    [LoggerMessage(60, LogLevel.Information, "A ledger feed subscriber went away while an event was being written ({Exception}).")]
    public static partial void SubscriberGone(ILogger logger, string exception);
}
