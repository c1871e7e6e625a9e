using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace CancelDemo.Probe.Storm;

/// <summary>
/// `probe storm`: N requests in flight, all cancelled at once, for several rounds: when did the server notice each,
/// how fast did the work stop, how much memory did the requests take. `probe storm-report`: tables from saved runs.
/// </summary>
public static class StormCommands
{
    public static Command Storm()
    {
        var server = new Option<string>("--server") { Description = "A name for the server in the results. Default: server.", DefaultValueFactory = _ => "server" };
        var baseUrl = new Option<Uri?>("--base")
        {
            Description = "The server's listener for --protocol. Default: CancelDemo's (http://localhost:8080, https://localhost:8081, http://localhost:8082).",
            CustomParser = r => ProbeOptions.AbsoluteHttpUri(r.Tokens.Single().Value, r.AddError),
        };
        var ledger = new Option<Uri?>("--ledger")
        {
            Description = "Where GET /requests/{id} is read, over HTTP/1.1. Default: http://localhost:8080.",
            CustomParser = r => ProbeOptions.AbsoluteHttpUri(r.Tokens.Single().Value, r.AddError),
        };
        var protocol = new Option<string>("--protocol") { Description = "1.1, 2 (HTTP/2 over TLS), h2c, or all. Default: all.", DefaultValueFactory = _ => "all" };
        var concurrency = new Option<int[]>("--concurrency")
        {
            Description = "Requests in flight at once, e.g. 1,100,1000 (1-5000 each). Default: 1,100,1000.",
            DefaultValueFactory = _ => [1, 100, 1000],
            CustomParser = r =>
            {
                var values = r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
                var parsed = values.Select(v => int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 5000 ? n : 0).ToArray();
                if (parsed.Contains(0))
                {
                    r.AddError($"'{string.Join(',', values)}' is not a list of request counts from 1 to 5000.");
                }
                return parsed;
            },
        };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of each storm (1-100). Default: 3.", DefaultValueFactory = _ => 3 };
        var firstRound = new Option<int>("--round") { Description = "The number of the first round, for results saved across runs. Default: 1.", DefaultValueFactory = _ => 1 };
        var pid = new Option<int?>("--server-pid") { Description = "The server's process id, to read its memory (VmRSS) idle and with the storm in flight." };
        var json = new Option<FileInfo?>("--json") { Description = "Append each storm's result to this file as a JSON line (for storm-report)." };
        var command = new Command("storm", "A cancellation storm: N requests in flight, all cancelled at the same moment, on raw sockets (HTTP/1.1: closing them; " +
            "HTTP/2: one write of RST_STREAM frames per connection). Reports cancel → server noticed and abort → stopped percentiles, missed aborts and memory.")
        {
            server, baseUrl, ledger, protocol, concurrency, rounds, firstRound, pid, json,
        };
        rounds.Validators.Add(r => { if (r.GetValue(rounds) is < 1 or > 100) { r.AddError("--rounds must be from 1 to 100."); } });
        protocol.Validators.Add(r => { if (r.GetValue(protocol) is { } p && p != "all" && Transports.Parse(p) is null) { r.AddError($"'{p}' is not a protocol; use 1.1, 2, h2c or all."); } });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(protocol)!;
            var transports = chosen == "all" ? Transports.All : [Transports.Parse(chosen)!.Value];
            if (parse.GetValue(baseUrl) is not null && transports.Count > 1)
            {
                Console.Error.WriteLine("--base names one listener; give one --protocol with it.");
                return 1;
            }
            var results = new List<StormResult>();
            foreach (var round in Enumerable.Range(parse.GetValue(firstRound), parse.GetValue(rounds)))
            {
                foreach (var transport in transports)
                {
                    foreach (var n in parse.GetValue(concurrency)!)
                    {
                        var settings = new StormSettings(parse.GetValue(server)!, transport, parse.GetValue(baseUrl) ?? transport.DefaultBase(),
                            parse.GetValue(ledger) ?? Transport.Http1.DefaultBase(), n, round, parse.GetValue(pid));
                        StormResult result;
                        try
                        {
                            result = await StormRun.RunAsync(settings, cancellationToken);
                        }
                        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException or TimeoutException
                            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                        {
                            Console.Error.WriteLine($"The storm could not run against {settings.Base} (ledger {settings.Ledger}): {ProbeErrors.Describe(e)}");
                            return 1;
                        }
                        results.Add(result);
                        if (parse.GetValue(json) is { } file)
                        {
                            await File.AppendAllTextAsync(file.FullName, JsonSerializer.Serialize(result, StormReport.Json) + "\n", cancellationToken);
                        }
                    }
                }
            }
            AnsiConsole.Write(Table(StormReport.Rows(results)));
            var missed = results.Sum(r => r.Missed);
            if (missed > 0)
            {
                Console.Error.WriteLine($"The server did not record {missed} abort(s).");
                return 2;
            }
            return 0;
        });
        return command;
    }

    public static Command Report()
    {
        var files = new Argument<FileInfo[]>("results") { Description = "JSON-lines files written by storm --json.", Arity = ArgumentArity.OneOrMore };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Write the tables as Markdown to this file, after --preamble." };
        var preamble = new Option<FileInfo?>("--preamble") { Description = "Markdown to put before the tables (how it was measured)." };
        var command = new Command("storm-report", "Pools saved storms per server, protocol and N, and prints (or writes) the tables.") { files, markdown, preamble };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rows = StormReport.Rows(await StormReport.ReadAsync(parse.GetValue(files)!.Select(f => f.FullName)));
            AnsiConsole.Write(Table(rows));
            if (parse.GetValue(markdown) is { } file)
            {
                var lines = new List<string>();
                if (parse.GetValue(preamble) is { } pre)
                {
                    lines.AddRange(await File.ReadAllLinesAsync(pre.FullName, cancellationToken));
                }
                lines.AddRange(StormReport.MarkdownTables(rows));
                lines.Add("");
                await File.WriteAllLinesAsync(file.FullName, lines, cancellationToken);
                Console.WriteLine($"Markdown written to {file.FullName}");
            }
            return 0;
        });
        return command;
    }

    private static Table Table(IReadOnlyList<StormReport.Row> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Cancellation storm: cancel → server noticed (ms)");
        foreach (var column in new[] { "server", "protocol", "N", "rounds", "missed", "p50", "p90", "p99", "max", "stopped p99", "CPU µs/abort", "RSS idle MB", "in flight MB", "KB/request" })
        {
            table.AddColumn(column);
        }
        static string F(double? v, string f = "0.0") => v is { } x ? x.ToString(f, CultureInfo.InvariantCulture) : "-";
        foreach (var r in rows)
        {
            table.AddRow(Markup.Escape(r.Server), r.Protocol, r.Concurrency.ToString(CultureInfo.InvariantCulture), r.Rounds.ToString(CultureInfo.InvariantCulture),
                r.Missed.ToString(CultureInfo.InvariantCulture), F(r.NoticedP50), F(r.NoticedP90), F(r.NoticedP99), F(r.NoticedMax), F(r.StoppedP99, "0.000"), F(r.CpuUsPerAbort, "0"),
                F(r.RssIdleKb / 1024.0), F(r.RssInFlightKb / 1024.0), F(r.KbPerRequest));
        }
        return table;
    }
}
