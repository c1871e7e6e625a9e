using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CancelDemo.Probe.Storm;

/// <summary>One storm against one server: where, over what, how many at once, which round, and its process for memory.</summary>
public sealed record StormSettings(string Server, Transport Transport, Uri Base, Uri Ledger, int Concurrency, int Round, int? ServerPid);

/// <summary>What one storm measured.</summary>
/// <param name="NoticedMs">Per request: the server's abortObservedAt minus the moment the client cancelled it.</param>
/// <param name="StoppedMs">Per request: stoppedAt minus abortObservedAt, the server's own abort-to-stop.</param>
/// <param name="Missed">Requests the server did not record as clientAborted.</param>
/// <param name="RssIdleKb">The server's resident memory before the storm.</param>
/// <param name="RssInFlightKb">The same with all the requests in flight, just before the cancel.</param>
/// <param name="ClientSkewMs">From the first cancel the client issued to the last: the client's own share of the spread.</param>
/// <param name="ServerCpuMs">CPU time the server's threads used in the 500 ms from the last cancel, before the ledger is read (Linux schedstat).</param>
public sealed record StormResult(string Server, string Protocol, int Concurrency, int Round, double[] NoticedMs, double[] StoppedMs, int Missed,
    long? RssIdleKb, long? RssInFlightKb, double ClientSkewMs, double? ServerCpuMs = null);

/// <summary>The ledger fields every server of the benchmark shares (CancelDemo, bare Kestrel, the seed's Gin server).</summary>
public sealed record StormEntry(string Id, string Outcome, DateTimeOffset? AbortObservedAt, DateTimeOffset? StoppedAt, DateTimeOffset? EndedAt);

public static class StormRun
{
    /// <summary>The seed's 1 s steps, 120 of them: twice as long as the storm waits for the server (<see cref="Bound"/>).</summary>
    public const string Work = "/http1?iterations=120&stepMs=1000";

    /// <summary>How long the storm waits for the server to record every request (running, then ended).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<StormResult> RunAsync(StormSettings settings, CancellationToken cancellationToken)
    {
        var ids = Enumerable.Range(0, settings.Concurrency)
            .Select(i => $"storm-{settings.Server}-{settings.Round}-{i}-{Guid.NewGuid():N}"[..Math.Min(64, 40 + settings.Server.Length)])
            .ToList();
        using var ledger = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = settings.Ledger, Timeout = TimeSpan.FromSeconds(10) };
        var rssIdle = Rss(settings.ServerPid);
        await using var client = StormClients.For(settings.Transport);
        await client.OpenAsync(settings.Base, Work, ids, cancellationToken);
        if ((await WaitAllAsync(ledger, ids, e => e.Outcome == "running", cancellationToken)).Any(e => e is null))
        {
            throw new TimeoutException($"the server did not record all {ids.Count} requests as running within {Bound.TotalSeconds:0} s");
        }
        var rssInFlight = Rss(settings.ServerPid);
        var cpuBefore = CpuNanoseconds(settings.ServerPid);

        var cancelled = client.CancelAll();

        await SettleAsync(cancelled.Values.Max(), cancellationToken);
        // Before the ledger is read: serving 1,000 reads is the benchmark's cost, not the storm's.
        var cpuAfter = CpuNanoseconds(settings.ServerPid);
        // A request the server has not ended within the bound was not noticed: it counts as missed.
        var entries = await WaitAllAsync(ledger, ids, e => e.EndedAt is not null, cancellationToken);
        var aborted = entries.OfType<StormEntry>().Where(e => e.Outcome == "clientAborted" && e.AbortObservedAt is not null).ToList();
        return new StormResult(
            settings.Server, settings.Transport.Name(), settings.Concurrency, settings.Round,
            [.. aborted.Select(e => (e.AbortObservedAt!.Value - cancelled[e.Id]).TotalMilliseconds)],
            [.. aborted.Where(e => e.StoppedAt is not null).Select(e => (e.StoppedAt!.Value - e.AbortObservedAt!.Value).TotalMilliseconds)],
            settings.Concurrency - aborted.Count, rssIdle, rssInFlight,
            (cancelled.Values.Max() - cancelled.Values.Min()).TotalMilliseconds,
            // A thread that exits takes its CPU time out of the sum; such a window is not counted.
            cpuBefore is { } before && cpuAfter is { } after && after >= before ? (after - before) / 1e6 : null);
    }

    /// <summary>
    /// Lets the server settle after the last cancel (500 ms): the aborts are processed while nothing else is asked
    /// of it, so its CPU time then is the storm's. The entries are read afterwards, until each has ended.
    /// </summary>
    private static async Task SettleAsync(DateTimeOffset lastCancel, CancellationToken cancellationToken)
    {
        var settle = lastCancel + TimeSpan.FromMilliseconds(500) - DateTimeOffset.UtcNow;
        if (settle > TimeSpan.Zero)
        {
            await Task.Delay(settle, cancellationToken);
        }
    }

    /// <summary>CPU time of every thread of <paramref name="pid"/> so far, in ns (/proc/PID/task/*/schedstat), or null.</summary>
    public static long? CpuNanoseconds(int? pid)
    {
        var tasks = pid is { } p ? $"/proc/{p}/task" : null;
        if (tasks is null || !Directory.Exists(tasks))
        {
            return null;
        }
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                total += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // a thread that ended meanwhile
            }
        }
        return total;
    }

    /// <summary>
    /// Reads every entry (8 at a time) until each satisfies <paramref name="condition"/>, for at most <see cref="Bound"/>:
    /// then an entry that never did is null.
    /// </summary>
    private static async Task<IReadOnlyList<StormEntry?>> WaitAllAsync(HttpClient ledger, List<string> ids, Func<StormEntry, bool> condition, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Bound);
        var done = new StormEntry?[ids.Count];
        try
        {
            while (!done.All(e => e is not null))
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count).Where(i => done[i] is null),
                    new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = bounded.Token }, async (i, token) =>
                    {
                        using var response = await ledger.GetAsync($"requests/{Uri.EscapeDataString(ids[i])}", token);
                        if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<StormEntry>(Json, token) is { } entry && condition(entry))
                        {
                            done[i] = entry;
                        }
                    });
                if (!done.All(e => e is not null))
                {
                    await Task.Delay(50, bounded.Token); // the servers offer no change feed in common: look again
                }
            }
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The bound passed: what has not been seen by now counts as not done.
        }
        return done;
    }

    /// <summary>VmRSS of <paramref name="pid"/> in KiB (Linux /proc), or null.</summary>
    public static long? Rss(int? pid)
    {
        var status = pid is { } p ? $"/proc/{p}/status" : null;
        if (status is null || !File.Exists(status))
        {
            return null;
        }
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
