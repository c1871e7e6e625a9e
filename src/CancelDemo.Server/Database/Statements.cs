namespace CancelDemo.Server.Database;

/// <summary>What a /query statement does on the server.</summary>
public enum QueryKind
{
    /// <summary>pg_sleep: the backend waits.</summary>
    Sleep,

    /// <summary>CPU-bound SQL: the backend computes for the whole time (and checks for cancels on every row).</summary>
    Compute,
}

/// <summary>Which client library runs the statement.</summary>
public enum QueryClient
{
    Npgsql,
    EfCore,
}

/// <summary>
/// The statements /query runs. Each starts with a comment naming the request, so pg_stat_activity shows which
/// request a backend is working for (also through pgbouncer, where backend ids are not the client's to know).
/// Request ids are letters, digits and -_.: only, so they cannot close the comment.
/// </summary>
public static class Statements
{
    /// <summary>A tag PostgreSQL keeps with the statement text: <c>/* canceldemo request-id */</c>.</summary>
    public static string Tag(string requestId) => $"/* canceldemo {requestId} */";

    /// <summary>
    /// The statement for <paramref name="kind"/>, with one parameter, @seconds, and one int column named Value
    /// (EF Core's SqlQueryRaw&lt;int&gt; reads that name). Compute is a generate_series that stops once the
    /// statement has run its time: it checks for interrupts on every row, so a cancel lands within milliseconds.
    /// </summary>
    public static string For(QueryKind kind, string requestId) => kind switch
    {
        QueryKind.Sleep => $"{Tag(requestId)} select 1 as \"Value\" from pg_sleep(@seconds)",
        _ => $"{Tag(requestId)} select count(*)::int as \"Value\" from (select 1 from (select generate_series(1, 1000000000000)) s " +
             "where clock_timestamp() >= statement_timestamp() + make_interval(secs => @seconds) limit 1) x",
    };
}
