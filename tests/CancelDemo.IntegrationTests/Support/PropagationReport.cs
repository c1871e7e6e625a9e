using System.Collections.Concurrent;
using System.Globalization;
using CancelDemo.Server.Web;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>One measured case of the propagation tests.</summary>
/// <param name="Test">Which claim it belongs to (the docs' section).</param>
/// <param name="Case">The case within it.</param>
/// <param name="Waterfall">When each hop and the database noticed and stopped, in ms after the client's cancel.</param>
/// <param name="BackendIdleMs">When pg_stat_activity showed the backend leave 'active' (or the backend gone), ms after the cancel.</param>
/// <param name="Note">What else the case showed.</param>
public sealed record PropagationMeasurement(string Test, string Case, Waterfall? Waterfall, double? BackendIdleMs, string Note);

/// <summary>
/// The measurements of the propagation tests, written when the run ends: to docs/propagation.md with
/// CANCELDEMO_WRITE_DOCS=1, else next to the test output. The protocol matrix runs several times then.
/// </summary>
public sealed class PropagationReport : IAsyncLifetime
{
    private readonly ConcurrentQueue<PropagationMeasurement> _measurements = new();

    public void Record(PropagationMeasurement measurement) => _measurements.Enqueue(measurement);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_measurements.IsEmpty)
        {
            return;
        }
        var path = MeasuredDocs.PathOf("propagation.md");
        await File.WriteAllLinesAsync(path, Lines());
    }

    private IEnumerable<string> Lines()
    {
        var all = _measurements.ToList();
        yield return "# Downstream work: does the abort reach every process and the database?";
        yield return "";
        yield return $"Measured on {DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} cores, loopback, PostgreSQL 15, pgbouncer 1.18, nginx 1.22) by";
        yield return "`CANCELDEMO_WRITE_DOCS=1 ./test.sh --filter \"FullyQualifiedName~Propagation|FullyQualifiedName~QueryCancellation|FullyQualifiedName~CallTimeout\"`,";
        yield return "which rewrites this file. Every time is in ms after the client's cancel (in section 8: after the edge gave up on its call;";
        yield return "same machine, same clock): a hop \"noticed\" when its";
        yield return "`RequestAborted` fired and \"stopped\" when its work or its call to the next hop stopped; the database \"noticed\" when";
        yield return "Npgsql sent PostgreSQL the cancel request and \"stopped\" when the statement ended (its error arrived); \"backend idle\"";
        yield return "is when `pg_stat_activity` showed the backend leave `active` (`state_change`).";
        foreach (var test in all.GroupBy(m => m.Test).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            yield return "";
            yield return $"## {test.Key}";
            yield return "";
            var matrix = test.Where(m => m.Waterfall is not null && m.Case.StartsWith("matrix", StringComparison.Ordinal)).Select(m => m.Waterfall!).ToList();
            if (matrix.Count > 0)
            {
                yield return $"Each combination ran {matrix.Count / Math.Max(1, matrix.Select(w => (w.Client, w.Downstream)).Distinct().Count())} time(s): p50 and max per lane.";
                yield return "";
                foreach (var line in WaterfallReport.MarkdownTable(matrix))
                {
                    yield return line;
                }
                continue;
            }
            yield return "| case | lane | protocol | noticed ms | stopped ms | what happened |";
            yield return "|---|---|---|---|---|---|";
            foreach (var m in test)
            {
                foreach (var lane in m.Waterfall?.Lanes.Where(l => l.Lane != "client") ?? [])
                {
                    yield return $"| {m.Case} | {lane.Lane} | {lane.Protocol} | {Waterfall.Number(lane.NoticedMs)} | {Waterfall.Number(lane.StoppedMs)} | {lane.What} |";
                }
                if (m.BackendIdleMs is not null || m.Waterfall is null)
                {
                    yield return $"| {m.Case} | backend | pg_stat_activity | | {Waterfall.Number(m.BackendIdleMs)} | {m.Note} |";
                }
            }
        }
        yield return "";
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresClusterDefinition : ICollectionFixture<PostgresCluster>, ICollectionFixture<PropagationReport>
{
    public const string Name = "PostgreSQL";
}

public static class Milliseconds
{
    public static double Since(this DateTimeOffset at, DateTimeOffset start) => Math.Round((at - start).TotalMilliseconds, 1);

    public static string Format(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>A server ledger entry as the probe reads it (through its JSON, as over HTTP).</summary>
public static class ProbeView
{
    private static readonly System.Text.Json.JsonSerializerOptions ServerJson =
        CancelDemo.Server.Web.JsonSetup.Apply(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

    public static ServerEntry Of(CancelDemo.Server.Ledger.LedgerEntry entry) =>
        System.Text.Json.JsonSerializer.Deserialize<ServerEntry>(System.Text.Json.JsonSerializer.Serialize(entry, ServerJson), ServerJson)!;
}
