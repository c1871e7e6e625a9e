using System.Data;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Work;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CancelDemo.Server.Database;

/// <summary>
/// Runs one /query statement on a pooled connection, with the request's stop token (or, for the anti-pattern,
/// without it), and records in the ledger what happened in the database: the backend, when the statement
/// started and ended, when the cancel was requested, how it ended and whether the connection survived.
/// </summary>
public sealed partial class QueryRunner(Postgres postgres, TimeProvider clock, ILogger<QueryRunner> logger)
{
    /// <summary>
    /// Runs the statement. Throws OperationCanceledException when the stop token ended it (the ledger says how),
    /// or the database's error when it failed.
    /// </summary>
    public async Task<QueryRecord> RunAsync(QueryClient client, QueryKind kind, int seconds, bool propagate, StopSignal stop)
    {
        var tracked = stop.Tracked;
        var record = new QueryRecord(client == QueryClient.EfCore ? "efcore" : "npgsql", kind.ToString().ToLowerInvariant(), seconds, propagate);
        tracked.RecordQuery(_ => record);
        // The anti-pattern: the statement does not hear about the client leaving.
        var token = propagate ? stop.Token : CancellationToken.None;
        var sql = Statements.For(kind, tracked.Id);
        await using var context = client == QueryClient.EfCore ? postgres.NewContext() : null;
        var connection = context is null ? postgres.DataSource!.CreateConnection() : (NpgsqlConnection)context.Database.GetDbConnection();
        await using var owned = context is null ? connection : null;
        try
        {
            await connection.OpenAsync(token);
            record = Record(tracked, record with { BackendPid = connection.ProcessID, StartedAt = clock.GetUtcNow() });
            LogStatement(logger, record.Api, record.Kind, seconds, connection.ProcessID, propagate);
            if (context is null)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.AddWithValue("seconds", seconds);
                await command.ExecuteScalarAsync(token);
            }
            else
            {
                await context.Database.SqlQueryRaw<int>(sql, new NpgsqlParameter("seconds", seconds)).ToListAsync(token);
            }
            return Record(tracked, record with { EndedAt = clock.GetUtcNow(), Ending = "completed", ConnectionHealthy = connection.FullState == ConnectionState.Open });
        }
        catch (OperationCanceledException e) when (token.IsCancellationRequested)
        {
            var sqlState = (e.InnerException as PostgresException)?.SqlState;
            var healthy = connection.FullState == ConnectionState.Open;
            // A cancel that landed ends the statement with 57014 and leaves the connection usable; one that could
            // not land in time (Cancellation Timeout) breaks the physical connection instead.
            var ending = healthy ? "cancelled" : "broken";
            record = Record(tracked, record with
            {
                CancelRequestedAt = record.StartedAt is null ? null : stop.FiredAt,
                EndedAt = clock.GetUtcNow(),
                Ending = ending,
                SqlState = sqlState,
                ConnectionHealthy = healthy,
            });
            LogCancelled(logger, ending, sqlState ?? "-", record.BackendPid ?? 0);
            throw;
        }
        catch (Exception e) when (DatabaseError(e) is { } error)
        {
            Record(tracked, record with
            {
                EndedAt = clock.GetUtcNow(),
                Ending = "failed",
                SqlState = (error as PostgresException)?.SqlState,
                ConnectionHealthy = connection.FullState == ConnectionState.Open,
            });
            throw;
        }
    }

    /// <summary>The database's own error behind <paramref name="e"/> (EF Core wraps transient ones), or null.</summary>
    public static NpgsqlException? DatabaseError(Exception e) => e as NpgsqlException ?? e.InnerException as NpgsqlException;

    private static QueryRecord Record(TrackedRequest tracked, QueryRecord record)
    {
        tracked.RecordQuery(_ => record);
        return record;
    }

    [LoggerMessage(70, LogLevel.Information, "Query ({Api}, {Kind} {Seconds} s) on backend {BackendPid}, stop token passed: {Propagated}")]
    private static partial void LogStatement(ILogger logger, string api, string kind, int seconds, int backendPid, bool propagated);

    // A cancelled statement is the client's abort reaching the database: normal traffic, Information.
    [LoggerMessage(71, LogLevel.Information, "Query {Ending} (SQLSTATE {SqlState}) on backend {BackendPid}")]
    private static partial void LogCancelled(ILogger logger, string ending, string sqlState, int backendPid);
}
