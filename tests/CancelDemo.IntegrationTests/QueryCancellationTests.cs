using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Extensions.Logging;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// /query against a real PostgreSQL: a client abort reaches the database and the backend stops (SQLSTATE 57014),
/// the pooled connection survives; without the token it does not; a cancel that cannot land breaks the
/// connection, and the pool recovers.
/// </summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class QueryCancellationTests(PostgresCluster postgres, PropagationReport report)
{
    /// <summary>Generous: measured 20-70 ms from the client's cancel to the backend going idle.</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    public static TheoryData<Transport, string, string> Cases => new()
    {
        { Transport.Http1, "npgsql", "sleep" },
        { Transport.Https, "npgsql", "compute" },
        { Transport.H2c, "npgsql", "sleep" },
        { Transport.Http1, "efcore", "compute" },
        { Transport.Https, "efcore", "sleep" },
        { Transport.H2c, "efcore", "compute" },
    };

    [RequiresTheory("postgresql", "pgbouncer")]
    [MemberData(nameof(Cases))]
    public async Task ClientAbortCancelsTheStatementInTheDatabaseAndThePoolKeepsTheConnection(Transport transport, string api, string kind)
    {
        await using var server = With(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres.Direct });
        using var client = server.CreateClient(transport);
        var id = NewId($"query-{api}");
        using var cts = new CancellationTokenSource();

        var call = client.SendAsync(Get($"/query?api={api}&kind={kind}&seconds=60", id), cts.Token);
        var running = await postgres.WaitForAsync(id, b => b is { IsActive: true });
        await cts.CancelAsync();
        var cancelledAt = DateTimeOffset.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var idle = await postgres.WaitForAsync(id, b => b is { IsActive: false }, StopBound);
        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(transport.WireName(), entry.Protocol);
        var query = entry.Query!;
        Assert.Equal(running!.Pid, query.BackendPid);
        Assert.Equal(("cancelled", "57014", true), (query.Ending, query.SqlState, query.ConnectionHealthy));
        Assert.InRange(idle!.StateChange - cancelledAt, TimeSpan.FromMilliseconds(-50), StopBound);
        report.Record(new("1. /query: the client's abort cancels the statement", $"{transport.Name()}, {api}, {kind}",
            Waterfall.From(transport.Name(), "-", "query", id, cancelledAt, [ProbeView.Of(entry)], null), idle.StateChange.Since(cancelledAt),
            $"backend {query.BackendPid} idle; the next query reused it"));

        // The next query is served by a pooled connection that is still healthy: the same backend.
        var nextId = NewId("query-next");
        using var next = await client.SendAsync(Get($"/query?api={api}&seconds=1", nextId)).DefaultTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(query.BackendPid, (await server.WaitForEndAsync(nextId)).Query!.BackendPid);
        Assert.DoesNotContain(server.Logs.Events, e => e.Level >= LogLevel.Warning);
    }

    [RequiresFact("postgresql", "pgbouncer")]
    public async Task WithoutTheTokenTheStatementRunsToItsEndAfterTheClientLeft()
    {
        await using var server = With(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres.Direct });
        using var client = server.CreateClient(Transport.Http1);
        var id = NewId("query-anti");
        using var cts = new CancellationTokenSource();

        var call = client.SendAsync(Get("/query?kind=compute&seconds=3&propagate=false", id), cts.Token);
        await postgres.WaitForAsync(id, b => b is { IsActive: true });
        await cts.CancelAsync();
        var cancelledAt = DateTimeOffset.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await server.WaitForEntryAsync(id, e => e.AbortObservedAt is not null); // the server knows the client left

        Assert.True((await postgres.FindAsync(id))!.IsActive, "the backend works on for a client that is gone");
        var entry = await server.WaitForEndAsync(id);
        var query = entry.Query!;
        Assert.Equal(("completed", false), (query.Ending, query.Propagated));
        Assert.InRange((query.EndedAt - query.StartedAt)!.Value, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(10));
        // The handler noticed only after the statement: recorded, but long after the abort.
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.True(entry.StoppedAt >= query.EndedAt, "the work stopped only when the statement ended");
        var idle = await postgres.WaitForAsync(id, b => b is { IsActive: false });
        report.Record(new("2. propagate=false: the anti-pattern", "1.1, npgsql, compute 3 s",
            Waterfall.From("1.1", "-", "query", id, cancelledAt, [ProbeView.Of(entry)], null), idle!.StateChange.Since(cancelledAt),
            "the statement ran its 3 s to the end"));
    }

    [RequiresTheory("postgresql", "pgbouncer")]
    [InlineData("")]
    [InlineData(";Cancellation Timeout=-1")]
    public async Task CancelThatCannotReachTheServerBreaksTheConnectionAndThePoolRecovers(string setting)
    {
        await using var proxy = await CancelDroppingProxy.StartAsync(postgres.Direct);
        await using var server = With(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = proxy.ConnectionString + setting });
        using var client = server.CreateClient(Transport.H2c);
        var id = NewId("query-hard");
        using var cts = new CancellationTokenSource();

        var call = client.SendAsync(Get("/query?kind=sleep&seconds=6", id), cts.Token);
        var running = await postgres.WaitForAsync(id, b => b is { IsActive: true });
        await cts.CancelAsync();
        var cancelledAt = DateTimeOffset.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(("broken", false), (entry.Query!.Ending, entry.Query.ConnectionHealthy));
        Assert.True(proxy.CancelRequestsDropped > 0, "Npgsql did try to cancel");
        // The old backend never heard of it: it runs its statement on.
        Assert.True((await postgres.FindAsync(id)) is { IsActive: true } still && still.Pid == running!.Pid, "the backend still runs the statement");
        // The pool opens a new physical connection, and the next query succeeds on it.
        var nextId = NewId("query-after-break");
        using var next = await client.SendAsync(Get("/query?seconds=1", nextId)).DefaultTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, next.StatusCode);
        Assert.NotEqual(running.Pid, (await server.WaitForEndAsync(nextId)).Query!.BackendPid);
        Assert.DoesNotContain(server.Logs.Events, e => e.Level > LogLevel.Information);
        report.Record(new("3. A cancel that cannot reach PostgreSQL (a proxy drops it)", setting.Length == 0 ? "Cancellation Timeout=2000 (default)" : "Cancellation Timeout=-1",
            Waterfall.From("h2c", "-", "query", id, cancelledAt, [ProbeView.Of(entry)], null), null,
            $"connection broken; backend {running.Pid} ran its 6 s statement on; the next query used a new backend"));
    }
}
