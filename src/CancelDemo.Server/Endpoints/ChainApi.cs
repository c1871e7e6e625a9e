using CancelDemo.Server.Database;
using CancelDemo.Server.Downstream;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Parameters;
using CancelDemo.Server.Work;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CancelDemo.Server.Endpoints;

/// <summary>What the last hop of a chain does.</summary>
public enum ChainLeaf
{
    /// <summary>The costly-operation loop of /http1.</summary>
    Loop,

    /// <summary>The PostgreSQL statement of /query.</summary>
    Query,
}

/// <summary>/chain: this server calls the next hop with the request's stop token, down to a leaf that works; the abort follows it.</summary>
public static class ChainApi
{
    public static readonly IntQueryParameter Hops = new("hops", 0, 5, 1, "How many more servers to call before the leaf (0: this one is the leaf).");

    public static readonly ChoiceQueryParameter<HopProtocol> DownstreamProtocol = new("downstreamProtocol", HopProtocols.Names, HopProtocol.H2c,
        "How each hop calls the next: '1.1' (a cancel closes the connection), '2' (HTTP/2 over TLS) or 'h2c' (a cancel is an RST_STREAM).");

    public static readonly EnumQueryParameter<ChainLeaf> Leaf = new("leaf", ChainLeaf.Loop,
        "What the last hop does: 'loop' (/http1's loop: iterations, stepMs, work) or 'query' (/query's statement: kind, seconds, api, propagate).");

    public static readonly IntQueryParameter CallTimeoutMs = new("callTimeoutMs", 1, 3_600_000, null,
        "How long this server waits for the next hop's whole answer before it gives up on the call (cancelling it): then 504, or with fallback=true a default value.");

    public static readonly BoolQueryParameter Fallback = new("fallback", false,
        "With callTimeoutMs: answer 200 with a default value instead of 504 when the next hop is too slow.");

    public static IEndpointRouteBuilder MapChainApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Chain");
        group.MapGet("/chain", ChainAsync).WithName("Chain")
            .WithQueryParameters([Hops, DownstreamProtocol, Leaf, CallTimeoutMs, Fallback, WorkApi.Iterations, WorkApi.StepMs, WorkApi.Work, WorkApi.TimeoutMs, .. QueryApi.Parameters])
            .Produces<WorkCompleted>().Produces<QueryCompleted>().Produces<ChainFallback>().ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .Produces(OutcomeRules.ClientClosedRequest)
            .WithSummary("Calls the next hop (Downstream:BaseUrl, default this server) with the stop token, hops times, then runs the leaf.");
        group.MapGet("/requests/{id}/chain", ReadChainAsync).WithName("GetRequestChain").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A request's ledger entry and those of the hops it called, each read from its own server's ledger.");
        return app;
    }

    public static async Task<IResult> ChainAsync(QueryValues query, StopSignal stop, HttpContext context, HopCaller caller,
        CostlyOperation operation, Postgres postgres, QueryRunner runner, WorkLog log, TimeProvider clock)
    {
        var hops = query.Get(Hops);
        if (hops == 0)
        {
            return query.Get(Leaf) == ChainLeaf.Query
                ? await QueryApi.RunAsync(query, stop, postgres, runner, log, clock)
                : await WorkApi.RunAsync(query, stop, operation, log, clock);
        }
        // The same query with one hop fewer; hops is always sent on, also when this request left it at its default
        // (without it every hop would take the default again, and the chain would never end).
        var next = QueryString.Create(context.Request.Query.Where(p => p.Key != Hops.Name)
            .Append(new KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>(Hops.Name, (hops - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        // callTimeoutMs: the caller's own deadline on this one call (the seed's "a downstream request might take too long"),
        // joined with the stop signal, so the hop is cancelled either way.
        var callTimeoutMs = query.GetOptional(CallTimeoutMs);
        using var deadline = callTimeoutMs is { } ms ? new CancellationTokenSource(TimeSpan.FromMilliseconds(ms), clock) : null;
        using var call = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(stop.Token, deadline.Token);
        try
        {
            // The hop's own status, whatever it is (a leaf's 504, a hop's 502): the edge answers and records that.
            return new HopAnswer(await caller.CallAsync(query.Get(DownstreamProtocol), "chain" + next, stop, call?.Token));
        }
        catch (OperationCanceledException) when (!stop.Token.IsCancellationRequested && deadline?.IsCancellationRequested == true)
        {
            var detail = $"The next hop did not answer within callTimeoutMs={callTimeoutMs}; the call was cancelled.";
            return query.Get(Fallback)
                ? TypedResults.Ok(new ChainFallback("fallback", detail + " This is the default value instead."))
                : TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "The next hop was too slow", detail: detail);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            if (await stop.StoppedAsync() == StopReason.Shutdown)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Server shutting down",
                    detail: "The call to the next hop was cancelled because the server is stopping.");
            }
            return new ClientClosedResult(0);
        }
        catch (Exception e) when (e is HttpRequestException or NextHopUnavailableException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The next hop failed", detail: e.Message);
        }
    }

    public static async Task<Results<Ok<IReadOnlyList<LedgerEntry>>, ProblemHttpResult>> ReadChainAsync(string id, ChainReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(id, cancellationToken) is { } chain
            ? TypedResults.Ok(chain)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such request",
                detail: $"The ledger has no request '{id}'; it keeps only the most recent ones.");
}

/// <summary>What /chain answers with fallback=true when the next hop was too slow: a default value, said to be one.</summary>
public sealed record ChainFallback(string Status, string Detail);

/// <summary>The next hop's answer passed on as it came: its status, its content type, its body.</summary>
public sealed class HopAnswer(HopResponse response) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => response.StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = response.StatusCode;
        httpContext.Response.ContentType = response.ContentType ?? "application/json";
        httpContext.Response.ContentLength = response.Body.Length;
        await httpContext.Response.Body.WriteAsync(response.Body, httpContext.RequestAborted);
    }
}
