using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// The audit of a real app that is not CancelDemo: samples/ShopApi (EF Core on PostgreSQL, an HttpClient to a second
/// ShopApi as its pricing service, its own spans), audited by `cancel-probe audit` over HTTP/1.1 and h2c. Every planted
/// mistake is flagged with the operation that ran on; every correct endpoint stops. Writes docs/audit.md (the table and
/// what CA2016 catches of the same mistakes) when the docs are regenerated.
/// </summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed partial class ShopApiAuditTests(PostgresCluster postgres)
{
    /// <summary>Each endpoint: the verdict, and the source of the operation that ran on (null: none should).</summary>
    public static readonly (string Path, string Verdict, string? RanOn, string What)[] Endpoints =
    [
        ("/orders/1", "stops", null, "EF Core query with the request's token"),
        ("/orders/1/no-token", "leaks", "Npgsql", "the handler has the token and does not pass it to the query"),
        ("/orders/1/history", "leaks", "Npgsql", "the handler never asks for a token; the query cannot be told"),
        ("/orders/export", "stops", null, "an export read with the token (2,000 rows over about 2 s)"),
        ("/orders/export/no-token", "leaks", "Npgsql", ".ToListAsync() without the token streams the whole result"),
        ("/prices/sku-1", "stops", null, "HttpClient call to the pricing service with the token"),
        ("/prices/sku-1/no-token", "leaks", "System.Net.Http", "HttpClient call without the token"),
        ("/reports/daily", "stops", null, "Task.Run whose work gets the token"),
        ("/reports/daily/task-run", "leaks", "Npgsql", "Task.Run whose work was written without a token"),
        ("/reports/warm", "stops", null, "the pricing call awaited with the token"),
        ("/reports/warm/fire-and-forget", "leaks", "System.Net.Http", "fire-and-forget: the handler stops, the call it started runs on"),
        ("/reports/totals", "stops", null, "a loop whose steps watch the token"),
        ("/reports/totals/never-looks", "leaks", "ShopApi.Reports", "a loop that never looks (its steps are the app's own spans)"),
    ];

    [RequiresFact("postgresql", "pgbouncer")]
    public async Task TheAuditFlagsEveryPlantedMistakeWithTheOperationThatRanOnAndPassesEveryCorrectEndpoint()
    {
        await using var pricing = await ShopApiProcess.StartAsync(postgres.Direct);
        await using var shop = await ShopApiProcess.StartAsync(postgres.Direct, pricing: pricing.Http1);
        var results = new List<JsonElement>();
        foreach (var (protocol, baseAddress) in new[] { ("1.1", shop.Http1), ("h2c", shop.H2c) })
        {
            var json = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.json");
            string[] paths = [.. Endpoints.SelectMany(e => new[] { "--path", e.Path })];
            var (exit, output) = await ChildProcess.RunAsync("dotnet", [Probe, "audit", baseAddress.ToString(), .. paths, "--protocol", protocol, "--json", json],
                timeout: TimeSpan.FromMinutes(4));

            Assert.True(exit == 2, $"the audit exits 2 when an endpoint leaks; it exited {exit}: {output}");
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            results.AddRange(document.RootElement.EnumerateArray().Select(r => r.Clone()));
            File.Delete(json);
        }

        foreach (var result in results)
        {
            var path = result.GetProperty("path").GetString()!;
            var (_, verdict, ranOn, _) = Endpoints.Single(e => e.Path == path);
            var protocol = result.GetProperty("protocol").GetString();
            var operations = result.GetProperty("operations").EnumerateArray().ToList();
            var why = $"{path} over {protocol}: {result}";
            Assert.True(verdict == result.GetProperty("verdict").GetString(), why);
            Assert.InRange(result.GetProperty("noticedMs").GetDouble(), -50, 2000); // every cancel was noticed
            if (ranOn is null)
            {
                Assert.DoesNotContain(operations, o => o.GetProperty("ranOn").GetBoolean());
                Assert.InRange(result.GetProperty("handlerEndedAfterAbortMs").GetDouble(), -50, 100);
                continue;
            }
            var leaked = operations.Where(o => o.GetProperty("ranOn").GetBoolean()).ToList();
            Assert.True(leaked.Count > 0 && leaked.All(o => o.GetProperty("source").GetString() == ranOn), why);
            // Each ran on for what was left of its work after the 1 s cancel (about 1-2 s), within generous bounds.
            foreach (var op in leaked)
            {
                if (op.GetProperty("endedAfterAbortMs") is { ValueKind: JsonValueKind.Number } ms)
                {
                    Assert.True(ms.GetDouble() is > 100 and < 10_000, why);
                }
            }
        }
        // The fire-and-forget's handler itself stopped at the abort: only its call ran on.
        Assert.All(results.Where(r => r.GetProperty("path").GetString() == "/reports/warm/fire-and-forget"),
            r => Assert.InRange(r.GetProperty("handlerEndedAfterAbortMs").GetDouble(), -50, 100));

        var compiler = await Ca2016FindingsAsync();
        // What the compiler sees: a token in scope that a call does not forward. Not a handler without one, not a token
        // written as CancellationToken.None, not a fire-and-forget.
        Assert.Equal(["/orders/1/no-token", "/orders/export/no-token", "/prices/sku-1/no-token"], compiler.Order(StringComparer.Ordinal));
        if (MeasuredDocs.WritesDocs)
        {
            var doc = MeasuredDocs.PathOf("audit.md");
            await File.WriteAllTextAsync(doc, Markdown(results, compiler, File.Exists(doc) ? await File.ReadAllTextAsync(doc) : ""));
        }
    }

    private static string Probe => Path.Combine(AppContext.BaseDirectory, "CancelDemo.Probe.dll");

    /// <summary>
    /// Builds ShopApi afresh with CA2016 on and maps each of its warnings to the endpoint of the handler it is in (the
    /// handlers are named methods; each endpoint's is found by the name MapGet gives it).
    /// </summary>
    private static async Task<IReadOnlyList<string>> Ca2016FindingsAsync()
    {
        var project = RepositoryFiles.Path("samples", "ShopApi");
        var output = Path.Combine(Path.GetTempPath(), $"shopapi-ca2016-{Guid.NewGuid():N}");
        try
        {
            var (exit, text) = await ChildProcess.RunAsync("dotnet", ["build", project, "--no-incremental", "--no-dependencies", "-o", output, "-p:UseSharedCompilation=false"],
                timeout: TimeSpan.FromMinutes(4));
            Assert.True(exit == 0, text);
            var handlers = new Dictionary<(string File, string Method), string>(); // a file's handler -> its route
            foreach (var file in Directory.GetFiles(project, "*.cs"))
            {
                var source = await File.ReadAllTextAsync(file);
                var groups = MapGroup().Matches(source).ToDictionary(m => m.Groups["group"].Value, m => m.Groups["prefix"].Value);
                foreach (Match m in MapCall().Matches(source))
                {
                    handlers[(Path.GetFullPath(file), m.Groups["handler"].Value)] = groups.GetValueOrDefault(m.Groups["on"].Value, "") + m.Groups["route"].Value;
                }
            }
            var found = new SortedSet<string>(StringComparer.Ordinal);
            foreach (Match warning in Ca2016().Matches(text))
            {
                var file = Path.GetFullPath(warning.Groups["file"].Value);
                var lines = await File.ReadAllLinesAsync(file);
                var method = lines.Take(int.Parse(warning.Groups["line"].Value, CultureInfo.InvariantCulture))
                    .Select(l => Method().Match(l)).Last(m => m.Success).Groups["name"].Value;
                var route = handlers[(file, method)];
                found.Add(Endpoints.Select(e => e.Path).Single(p => RouteMatches(route, p)));
            }
            return [.. found];
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>Whether an audited path is an instance of a route pattern ({id:int} takes digits, {sku} a segment).</summary>
    private static bool RouteMatches(string route, string path)
    {
        var pattern = Regex.Replace(Regex.Escape(route).Replace(@"\{", "{", StringComparison.Ordinal), @"\{[^}:]+(?<int>:int)?\}",
            m => m.Groups["int"].Success ? @"\d+" : "[^/]+");
        return Regex.IsMatch(path, $"^{pattern}$");
    }

    private static string Markdown(IReadOnlyList<JsonElement> results, IReadOnlyList<string> compiler, string existing)
    {
        var text = new StringBuilder();
        text.AppendLine("# Auditing a service: samples/ShopApi");
        text.AppendLine();
        text.AppendLine($"Measured on {DateTime.UtcNow:yyyy-MM-dd} by `CANCELDEMO_WRITE_DOCS=1 ./test.sh` (`ShopApiAuditTests`; every row is asserted there):");
        text.AppendLine("`cancel-probe audit` against ShopApi (EF Core on PostgreSQL, an HttpClient to a second ShopApi as its pricing service,");
        text.AppendLine("its own `ShopApi.Reports` spans), each endpoint cancelled 1 s after it was sent, over HTTP/1.1 and h2c. \"noticed\" is the");
        text.AppendLine("app's `RequestAborted` after the client's cancel; \"handler ended\" is after that abort; an operation ran on when it ended");
        text.AppendLine("more than 100 ms after the abort.");
        text.AppendLine();
        text.AppendLine("| endpoint | what it does | protocol | noticed ms | handler ended ms after abort | ran on (ms after the abort) | verdict | CA2016 |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in results.OrderBy(r => Array.FindIndex(Endpoints, e => e.Path == r.GetProperty("path").GetString())).ThenBy(r => r.GetProperty("protocol").GetString()))
        {
            var path = r.GetProperty("path").GetString()!;
            var ranOn = r.GetProperty("operations").EnumerateArray().Where(o => o.GetProperty("ranOn").GetBoolean())
                .Select(o => $"{o.GetProperty("source").GetString()} \"{o.GetProperty("name").GetString()}\": {Number(o.GetProperty("endedAfterAbortMs"), "still running")}");
            text.AppendLine($"| `{path}` | {Endpoints.Single(e => e.Path == path).What} | {r.GetProperty("protocol").GetString()} | {Number(r.GetProperty("noticedMs"), "-")} | " +
                $"{Number(r.GetProperty("handlerEndedAfterAbortMs"), "still running")} | {string.Join("; ", ranOn)} | **{r.GetProperty("verdict").GetString()}** | " +
                $"{(compiler.Contains(path) ? "warns" : Endpoints.Single(e => e.Path == path).Verdict == "leaks" ? "silent" : "")} |");
        }
        text.AppendLine();
        var planted = Endpoints.Count(e => e.Verdict == "leaks");
        text.AppendLine($"**CA2016** (forward the CancellationToken, on as a warning in ShopApi's `.editorconfig`) warns for {compiler.Count} of the {planted} planted");
        text.AppendLine("mistakes: the calls that leave out a token the handler has. It cannot see a handler that never asks for a token, work");
        text.AppendLine("written with `CancellationToken.None` (handed to `Task.Run` or fired and forgotten), or a loop that never looks: only the");
        text.AppendLine("audit, which watches what really runs after the abort, finds all of them.");
        text.AppendLine();
        // The overhead section is bench/audit/run.sh's: kept as it last wrote it.
        var overhead = existing.IndexOf(OverheadMarker, StringComparison.Ordinal);
        text.Append(overhead >= 0 ? existing[overhead..] : $"{OverheadMarker}\n(run bench/audit/run.sh)\n");
        return text.ToString();
    }

    private const string OverheadMarker = "## What the package costs";

    private static string Number(JsonElement value, string otherwise) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("0", CultureInfo.InvariantCulture) : otherwise;

    [GeneratedRegex(@"(?<on>\w+)\.MapGet\(""(?<route>[^""]*)"", (?<handler>\w+)\)")]
    private static partial Regex MapCall();

    [GeneratedRegex(@"var (?<group>\w+) = app\.MapGroup\(""(?<prefix>[^""]*)""\)")]
    private static partial Regex MapGroup();

    [GeneratedRegex(@"(?<file>/[^\s(]+\.cs)\((?<line>\d+),\d+\): warning CA2016")]
    private static partial Regex Ca2016();

    [GeneratedRegex(@"public static async Task<\w+> (?<name>\w+)\(")]
    private static partial Regex Method();
}
