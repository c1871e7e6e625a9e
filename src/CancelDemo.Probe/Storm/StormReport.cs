using System.Globalization;
using System.Text.Json;

namespace CancelDemo.Probe.Storm;

/// <summary>Many storms pooled per server, protocol and N: percentiles, memory, ratios to the best peer and the noise between rounds.</summary>
public static class StormReport
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record Row(string Server, string Protocol, int Concurrency, int Rounds, int Requests, int Missed,
        double? NoticedP50, double? NoticedP90, double? NoticedP99, double? NoticedMax, double? StoppedP50, double? StoppedP99, double? StoppedMax,
        double? RoundP99Min, double? RoundP99Max, long? RssIdleKb, long? RssInFlightKb, double? KbPerRequest, double? ClientSkewMs, double? CpuUsPerAbort);

    public static IReadOnlyList<Row> Rows(IEnumerable<StormResult> results) =>
        [.. results.GroupBy(r => (r.Server, r.Protocol, r.Concurrency)).Select(g =>
        {
            var noticed = g.SelectMany(r => r.NoticedMs).Order().ToList();
            var stopped = g.SelectMany(r => r.StoppedMs).Order().ToList();
            var roundP99 = g.Select(r => ResultsReport.Percentile([.. r.NoticedMs.Order()], 99)).OfType<double>().ToList();
            var idle = Median(g.Select(r => r.RssIdleKb));
            var inFlight = Median(g.Select(r => r.RssInFlightKb));
            var perRequest = g.Select(r => r.RssIdleKb is { } i && r.RssInFlightKb is { } f ? (f - i) / (double)r.Concurrency : (double?)null).OfType<double>().Order().ToList();
            return new Row(g.Key.Server, g.Key.Protocol, g.Key.Concurrency, g.Count(), g.Sum(r => r.Concurrency), g.Sum(r => r.Missed),
                ResultsReport.Percentile(noticed, 50), ResultsReport.Percentile(noticed, 90), ResultsReport.Percentile(noticed, 99), noticed.Count == 0 ? null : noticed[^1],
                ResultsReport.Percentile(stopped, 50), ResultsReport.Percentile(stopped, 99), stopped.Count == 0 ? null : stopped[^1],
                roundP99.Count == 0 ? null : roundP99.Min(), roundP99.Count == 0 ? null : roundP99.Max(), idle, inFlight,
                ResultsReport.Percentile(perRequest, 50), ResultsReport.Percentile([.. g.Select(r => r.ClientSkewMs).Order()], 50),
                ResultsReport.Percentile([.. g.Select(r => r.ServerCpuMs * 1000 / r.Concurrency).OfType<double>().Order()], 50));
        }).OrderBy(r => r.Protocol, StringComparer.Ordinal).ThenBy(r => r.Concurrency).ThenBy(r => r.Server, StringComparer.Ordinal)];

    /// <summary>One table per protocol and N, each server's p99 and memory as a ratio to the best of them.</summary>
    public static IEnumerable<string> MarkdownTables(IReadOnlyList<Row> rows)
    {
        foreach (var group in rows.GroupBy(r => (r.Protocol, r.Concurrency)))
        {
            var bestP99 = group.Select(r => r.NoticedP99).OfType<double>().DefaultIfEmpty().Min();
            yield return "";
            yield return $"### {ProtocolName(group.Key.Protocol)}, {group.Key.Concurrency.ToString("N0", CultureInfo.InvariantCulture)} in flight";
            yield return "";
            yield return "| server | rounds | missed | noticed p50 | p90 | p99 | max | p99 / best | p99 per round | stopped p50 | p99 | server CPU µs per abort | RSS idle MB | RSS in flight MB | KB per request | client skew ms |";
            yield return "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
            foreach (var r in group)
            {
                var ratio = r.NoticedP99 is { } p99 && bestP99 > 0 ? (p99 / bestP99).ToString("0.00", CultureInfo.InvariantCulture) : "-";
                yield return $"| {r.Server} | {r.Rounds} | {r.Missed} | {N(r.NoticedP50)} | {N(r.NoticedP90)} | {N(r.NoticedP99)} | {N(r.NoticedMax)} | {ratio} | " +
                             $"{N(r.RoundP99Min)}–{N(r.RoundP99Max)} | {N(r.StoppedP50, "0.000")} | {N(r.StoppedP99, "0.000")} | {N(r.CpuUsPerAbort, "0")} | {Mb(r.RssIdleKb)} | {Mb(r.RssInFlightKb)} | {N(r.KbPerRequest)} | {N(r.ClientSkewMs)} |";
            }
        }
    }

    public static async Task<IReadOnlyList<StormResult>> ReadAsync(IEnumerable<string> jsonLinesFiles)
    {
        var results = new List<StormResult>();
        foreach (var file in jsonLinesFiles)
        {
            foreach (var line in await File.ReadAllLinesAsync(file))
            {
                if (line.Length > 0)
                {
                    results.Add(JsonSerializer.Deserialize<StormResult>(line, Json)!);
                }
            }
        }
        return results;
    }

    private static string ProtocolName(string protocol) => protocol switch { "1.1" => "HTTP/1.1", "2" => "HTTP/2 over TLS", _ => "h2c" };

    private static long? Median(IEnumerable<long?> values)
    {
        var sorted = values.OfType<long>().Order().ToList();
        return sorted.Count == 0 ? null : sorted[sorted.Count / 2];
    }

    private static string N(double? value, string format = "0.0") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Mb(long? kb) => kb is { } v ? (v / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
