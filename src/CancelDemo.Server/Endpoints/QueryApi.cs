using CancelDemo.Server.Database;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Parameters;
using CancelDemo.Server.Work;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CancelDemo.Server.Endpoints;

/// <summary>/query: a real PostgreSQL statement, run with the request's stop token so a client abort cancels it in the database.</summary>
public static class QueryApi
{
    public static readonly EnumQueryParameter<QueryKind> Kind = new("kind", QueryKind.Sleep,
        "What the backend does: 'sleep' (pg_sleep) or 'compute' (CPU-bound SQL that checks for cancels on every row).");

    public static readonly IntQueryParameter Seconds = new("seconds", 1, 300, 5, "How long the statement runs if nobody stops it.");

    public static readonly ChoiceQueryParameter<QueryClient> Api = new("api", [("npgsql", QueryClient.Npgsql), ("efcore", QueryClient.EfCore)],
        QueryClient.Npgsql, "The client library: 'npgsql' (NpgsqlCommand) or 'efcore' (EF Core raw SQL on the same pool).");

    public static readonly BoolQueryParameter Propagate = new("propagate", true,
        "Pass the stop token to the query. 'false' is the anti-pattern: the statement runs on after the client has gone.");

    public static IReadOnlyList<QueryParameter> Parameters { get; } = [Kind, Seconds, Api, Propagate];

    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/query", RunAsync).WithTags("Database").WithName("Query").WithQueryParameters([.. Parameters])
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Runs a PostgreSQL statement with the request's stop token; a client abort cancels it in the database (SQLSTATE 57014).");
        return app;
    }

    public static async Task<Results<Ok<QueryCompleted>, ClientClosedResult, ProblemHttpResult>> RunAsync(
        QueryValues query, StopSignal stop, Postgres postgres, QueryRunner runner, WorkLog log, TimeProvider clock)
    {
        if (!postgres.IsConfigured)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No database configured",
                detail: "Set ConnectionStrings:Postgres to a PostgreSQL connection string. samples/postgres/run.sh starts a throwaway " +
                        "server and prints the argument: dotnet run --project src/CancelDemo.Server -- --ConnectionStrings:Postgres=\"...\"");
        }
        var started = clock.GetTimestamp();
        try
        {
            var record = await runner.RunAsync(query.Get(Api), query.Get(Kind), query.Get(Seconds), query.Get(Propagate), stop);
            if (stop.Token.IsCancellationRequested)
            {
                // The anti-pattern: the handler learns the client left only once the statement is over.
                return Stopped(await stop.StoppedAsync(), log);
            }
            return TypedResults.Ok(new QueryCompleted("Query completed", record.Api, record.Kind, record.Seconds, record.BackendPid,
                clock.GetElapsedTime(started).TotalMilliseconds));
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            return Stopped(await stop.StoppedAsync(), log);
        }
        catch (Exception e) when (QueryRunner.DatabaseError(e) is { } error)
        {
            log.DatabaseFailed(e, error.Message);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable", detail: error.Message);
        }
    }

    private static Results<Ok<QueryCompleted>, ClientClosedResult, ProblemHttpResult> Stopped(StopReason reason, WorkLog log)
    {
        switch (reason)
        {
            case StopReason.Shutdown:
                log.QueryStopped("Server is shutting down");
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Server shutting down",
                    detail: "The query was cancelled because the server is stopping.");
            default:
                log.QueryStopped("Client has disconnected");
                return new ClientClosedResult(0);
        }
    }
}

/// <summary>The body of a query that ran to its end.</summary>
public sealed record QueryCompleted(string Status, string Api, string Kind, int Seconds, int? BackendPid, double ElapsedMs);
