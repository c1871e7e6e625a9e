using Npgsql;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// One private, throwaway PostgreSQL (and pgbouncer in front of it) for the whole test run, started by
/// samples/postgres/run.sh (so the tested set-up is the sample's) on free ports in a temp folder. Disposing it
/// stops both and deletes the folder, also after a failed test. Tests watch the backends through
/// pg_stat_activity, finding each statement by the request id the server tags it with.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    /// <summary>What a test using the cluster needs: [RequiresFact(PostgresCluster.Needs...)].</summary>
    public static readonly string[] Needs = ["postgresql", "pgbouncer"];

    private ChildProcess? _process;
    private NpgsqlDataSource? _watcher;

    /// <summary>Straight to PostgreSQL.</summary>
    public string Direct { get; private set; } = "";

    /// <summary>Through pgbouncer, session pooling.</summary>
    public string SessionPooled { get; private set; } = "";

    /// <summary>Through pgbouncer, transaction pooling.</summary>
    public string TransactionPooled { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Requires.SkipReason(Needs) is not null)
        {
            return; // the tests using it are skipped with the install command
        }
        var strings = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = ChildProcess.Start("bash", [RepositoryFiles.Path("samples", "postgres", "run.sh"), "--pgbouncer"], onLine: line =>
        {
            if (line.StartsWith("--ConnectionStrings:Postgres=", StringComparison.Ordinal))
            {
                lock (strings)
                {
                    strings.Add(line["--ConnectionStrings:Postgres=".Length..].Trim('"'));
                }
            }
            else if (line == "ready")
            {
                ready.TrySetResult();
            }
        });
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"samples/postgres/run.sh did not get ready: {_process.Output}");
        }
        (Direct, SessionPooled, TransactionPooled) = (strings[0], strings[1], strings[2]);
        _watcher = NpgsqlDataSource.Create(Direct + ";Application Name=canceldemo-tests");
    }

    /// <summary>The backend running the statement of request <paramref name="requestId"/>, as pg_stat_activity shows it now, or null.</summary>
    public async Task<Backend?> FindAsync(string requestId)
    {
        await using var command = _watcher!.CreateCommand(
            "select pid, state, query_start, state_change from pg_stat_activity where query like @tag and pid <> pg_backend_pid()");
        command.Parameters.AddWithValue("tag", $"/* canceldemo {requestId} */%");
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new Backend(reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    /// <summary>Waits, looking every 20 ms and bounded by <paramref name="timeout"/>, until the request's backend satisfies <paramref name="condition"/> (null: gone).</summary>
    public async Task<Backend?> WaitForAsync(string requestId, Func<Backend?, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TaskTimeouts.Default);
        while (true)
        {
            var backend = await FindAsync(requestId);
            if (condition(backend))
            {
                return backend;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the backend of {requestId} did not reach the expected state; last seen: {backend?.ToString() ?? "none"}");
            }
            await Task.Delay(20); // polling pg_stat_activity: the database offers no change signal
        }
    }

    public async Task DisposeAsync()
    {
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }
        if (_process is { HasExited: false } process)
        {
            await process.SignalAsync("TERM"); // run.sh stops PostgreSQL and pgbouncer and deletes its folder
            await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}

/// <summary>A PostgreSQL backend as pg_stat_activity shows it.</summary>
public sealed record Backend(int Pid, string State, DateTimeOffset QueryStart, DateTimeOffset StateChange)
{
    public bool IsActive => State == "active";
}
