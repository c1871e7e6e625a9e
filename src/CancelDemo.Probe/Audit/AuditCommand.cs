using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace CancelDemo.Probe.Audit;

/// <summary>
/// `audit BASEURL --path /orders/1 ...`: for each endpoint and protocol, start it, cancel it, and read the app's
/// ledger (CancelDemo.AspNetCore, or any server with the ledger contract): did the server notice, did the handler stop,
/// which operations ran on? Exit code 0 when every endpoint stops, 2 when one leaks or was not noticed, 1 when the
/// audit could not run.
/// </summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var baseUrl = new Argument<Uri>("base")
        {
            Description = "The app to audit, e.g. http://localhost:5000.",
            CustomParser = r => ProbeOptions.AbsoluteHttpUri(r.Tokens.Single().Value, r.AddError) ?? new Uri("http://invalid"),
        };
        var paths = new Option<string[]>("--path") { Description = "An endpoint to audit (a GET, with its query), e.g. /orders/1. Repeatable.", AllowMultipleArgumentsPerToken = true };
        var openApi = new Option<Uri?>("--openapi")
        {
            Description = "Also audit every GET of this OpenAPI document whose parameters have defaults or examples, e.g. http://localhost:5000/swagger/v1/swagger.json.",
            CustomParser = r => ProbeOptions.AbsoluteHttpUri(r.Tokens.Single().Value, r.AddError),
        };
        var protocols = new Option<string[]>("--protocol")
        {
            Description = "1.1, 2 (HTTP/2 over TLS: an https base), h2c (cleartext HTTP/2: an http base that speaks it), or all. Repeatable. Default: 1.1.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["1.1"],
        };
        var cancelAfter = new Option<TimeSpan?>("--cancel-after")
        {
            Description = "When the client gives up, e.g. 1s, 500ms. Default: 1s.",
            CustomParser = r => Durations.Parse(r.Tokens.Single().Value, r.AddError),
        };
        var threshold = new Option<TimeSpan?>("--threshold")
        {
            Description = "Work that ends more than this after the server's abort ran on. Default: 100ms.",
            CustomParser = r => Durations.Parse(r.Tokens.Single().Value, r.AddError),
        };
        var settle = new Option<TimeSpan?>("--settle")
        {
            Description = "How long after the cancel to wait for the handler and its operations to end. Default: 5s.",
            CustomParser = r => Durations.Parse(r.Tokens.Single().Value, r.AddError),
        };
        var ledger = new Option<Uri?>("--ledger")
        {
            Description = "Where the app's ledger is (GET /requests/{id}). Default: the base.",
            CustomParser = r => ProbeOptions.AbsoluteHttpUri(r.Tokens.Single().Value, r.AddError),
        };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file, one object per endpoint and protocol." };
        var caCert = new Option<FileInfo?>("--cacert") { Description = "A PEM certificate to trust for TLS." };
        var insecure = new Option<bool>("--insecure") { Description = "Do not verify TLS certificates (prefer --cacert)." };
        var command = new Command("audit", "Audits any app's endpoints: cancels each mid-flight and reads the app's ledger (add the CancelDemo.AspNetCore package: " +
            "AddCancellationAudit and MapCancellationAudit). Exit code 0: every endpoint stops; 2: one leaks or was not noticed; 1: the audit could not run.")
        {
            baseUrl, paths, openApi, protocols, cancelAfter, threshold, settle, ledger, json, caCert, insecure,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(new Settings(
            parse.GetValue(baseUrl)!, parse.GetValue(paths) ?? [], parse.GetValue(openApi), parse.GetValue(protocols)!,
            parse.GetValue(cancelAfter) ?? TimeSpan.FromSeconds(1), parse.GetValue(threshold) ?? TimeSpan.FromMilliseconds(100),
            parse.GetValue(settle) ?? TimeSpan.FromSeconds(5), parse.GetValue(ledger), parse.GetValue(json), parse.GetValue(caCert)?.FullName,
            parse.GetValue(insecure)), cancellationToken));
        return command;
    }

    private sealed record Settings(Uri Base, string[] Paths, Uri? OpenApi, string[] Protocols, TimeSpan CancelAfter, TimeSpan Threshold, TimeSpan Settle,
        Uri? Ledger, FileInfo? Json, string? CaCert, bool Insecure);

    private static async Task<int> RunAsync(Settings s, CancellationToken cancellationToken)
    {
        var transports = new List<Transport>();
        foreach (var name in s.Protocols)
        {
            if (name == "all")
            {
                transports.AddRange(s.Base.Scheme == "https" ? [Transport.Http1, Transport.Https] : [Transport.Http1, Transport.H2c]);
            }
            else if (Transports.Parse(name) is { } t)
            {
                transports.Add(t);
            }
            else
            {
                Console.Error.WriteLine($"'{name}' is not a protocol; use 1.1, 2, h2c or all.");
                return 1;
            }
        }
        if (transports.Contains(Transport.Https) && s.Base.Scheme != "https" || transports.Contains(Transport.H2c) && s.Base.Scheme != "http")
        {
            Console.Error.WriteLine("--protocol 2 is HTTP/2 over TLS (an https:// base); h2c is cleartext HTTP/2 (an http:// base).");
            return 1;
        }
        if (s.CaCert is { } pem && !File.Exists(pem))
        {
            Console.Error.WriteLine($"--cacert: {pem} does not exist.");
            return 1;
        }
        ProbeTarget TargetFor(Transport transport) =>
            new(new ProbeSettings(s.Base, s.Ledger ?? s.Base, transport, s.CancelAfter, s.CaCert, s.Insecure, s.Settle));
        try
        {
            var paths = s.Paths.ToList();
            if (s.OpenApi is { } document)
            {
                using var target = TargetFor(Transport.Http1);
                var found = OpenApiPaths.From(await target.LedgerClient.GetFromJsonAsync<JsonElement>(document, cancellationToken), out var skipped);
                paths.AddRange(found);
                foreach (var left in skipped)
                {
                    Console.Error.WriteLine($"not audited: {left}");
                }
            }
            if (paths.Count == 0)
            {
                Console.Error.WriteLine("Nothing to audit: give --path (repeatable) or --openapi.");
                return 1;
            }
            var results = new List<AuditResult>();
            foreach (var transport in transports.Distinct())
            {
                using var target = TargetFor(transport);
                if (!await AuditRunner.HasLedgerAsync(target.LedgerClient, cancellationToken))
                {
                    Console.Error.WriteLine($"{target.Settings.Ledger} has no cancellation ledger (GET /requests answered 404). Add the CancelDemo.AspNetCore package " +
                        "to the app and these two lines:\n  builder.Services.AddCancellationAudit();\n  app.MapCancellationAudit();\n" +
                        "(or point --ledger at the server whose ledger records these requests).");
                    return 1;
                }
                var runner = new AuditRunner(target, s.CancelAfter, s.Threshold, s.Settle);
                foreach (var path in paths)
                {
                    results.Add(await runner.RunAsync(path, cancellationToken));
                }
            }
            AnsiConsole.Write(Table(results));
            foreach (var note in results.Where(r => r.Note is not null))
            {
                AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(note.Path)} ({note.Protocol})[/]: {Markup.Escape(note.Note!)}");
            }
            if (s.Json is { } file)
            {
                await using var stream = File.Create(file.FullName);
                await JsonSerializer.SerializeAsync(stream, results, ResultsReport.Json, cancellationToken);
                Console.WriteLine($"JSON written to {file.FullName}");
            }
            var failing = results.Where(r => r.Verdict is AuditResult.Leaks or AuditResult.NotNoticed).ToList();
            if (failing.Count > 0)
            {
                Console.Error.WriteLine($"{failing.Count} of {results.Count} audited endpoint(s) did not stop: {string.Join(", ", failing.Select(f => $"{f.Path} ({f.Protocol}) {f.Verdict}").Distinct())}.");
                return 2;
            }
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Console.Error.WriteLine($"The audit could not run: {ProbeErrors.Describe(e)}");
            return 1;
        }
    }

    private static Table Table(IReadOnlyList<AuditResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Cancellation audit: does the work stop when the client gives up?");
        foreach (var column in new[] { "endpoint", "protocol", "noticed ms", "handler ended ms after abort", "ran on (ms after the abort)", "verdict" })
        {
            table.AddColumn(column);
        }
        static string F(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "-";
        foreach (var r in results)
        {
            var ranOn = r.Operations.Where(o => o.RanOn).Select(o => $"{o.Source} {o.Name}: {(o.EndedAfterAbortMs is { } ms ? ms.ToString("0", CultureInfo.InvariantCulture) : "still running")}");
            table.AddRow(Markup.Escape(r.Path), r.Protocol, F(r.NoticedMs), r.HandlerEndedAfterAbortMs is null && r.Verdict == AuditResult.Leaks ? "still running" : F(r.HandlerEndedAfterAbortMs),
                Markup.Escape(string.Join("; ", ranOn)), r.Verdict == AuditResult.Stops ? "[green]stops[/]" : r.Verdict == AuditResult.Answered ? "answered" : $"[red]{r.Verdict}[/]");
        }
        return table;
    }
}
