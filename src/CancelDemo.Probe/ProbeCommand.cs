using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace CancelDemo.Probe;

/// <summary>The probe's command line: options, the run, the table, the exit code.</summary>
public static class ProbeCommand
{
    public static RootCommand Create()
    {
        var scenarioArgument = new Argument<string>("scenario")
        {
            Description = $"A scenario, or 'all': {string.Join(", ", Scenarios.All.Select(s => s.Name))}.",
        };
        scenarioArgument.AcceptOnlyFromAmong([.. Scenarios.All.Select(s => s.Name), "all"]);

        var baseOption = new Option<Uri?>("--base")
        {
            CustomParser = result => AbsoluteHttpUri(result.Tokens.Single().Value, result.AddError),
            Description = "Where requests go: the server or a proxy in front of it. Default: the server's listener for --protocol (http://localhost:8080, https://localhost:8081, http://localhost:8082).",
        };
        var ledgerOption = new Option<Uri?>("--ledger")
        {
            CustomParser = result => AbsoluteHttpUri(result.Tokens.Single().Value, result.AddError),
            Description = "Where the server's ledger is read (GET /requests/{id}). Default: --base; set it to the server when --base is a proxy.",
        };
        var protocolOption = new Option<ProbeProtocol[]>("--protocol")
        {
            Description = "1.1, 2 (HTTP/2 over TLS), h2c (cleartext HTTP/2), or all. Repeatable. Default: 1.1.",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result =>
            {
                var protocols = new List<ProbeProtocol>();
                foreach (var token in result.Tokens.Select(t => t.Value))
                {
                    if (token == "all")
                    {
                        protocols.AddRange(Enum.GetValues<ProbeProtocol>());
                    }
                    else if (ProbeProtocols.Parse(token) is { } protocol)
                    {
                        protocols.Add(protocol);
                    }
                    else
                    {
                        result.AddError($"'{token}' is not a protocol; use 1.1, 2, h2c or all.");
                    }
                }
                return [.. protocols.Distinct()];
            },
            DefaultValueFactory = _ => [ProbeProtocol.Http11],
        };
        var cancelAfterOption = new Option<TimeSpan?>("--cancel-after")
        {
            Description = "When the client gives up, e.g. 2s, 500ms, 1.5s. Default: each scenario's seed value (2 s for the loop, 1 s for downloads and streams).",
            CustomParser = result => Durations.Parse(result.Tokens.Single().Value, result.AddError),
        };
        var jsonOption = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file." };
        var caCertOption = new Option<FileInfo?>("--cacert")
        {
            Description = $"A PEM certificate to trust for TLS (the server prints its own). Default: {ProbeSettings.DefaultCaCertificate} when it exists.",
        };
        var insecureOption = new Option<bool>("--insecure") { Description = "Do not verify TLS certificates (prefer --cacert)." };
        var waitOption = new Option<TimeSpan>("--ledger-wait")
        {
            Description = "How long to wait for the server to finish a request before reading its verdict. Default: 30s.",
            CustomParser = result => Durations.Parse(result.Tokens.Single().Value, result.AddError) ?? TimeSpan.Zero,
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        };

        var root = new RootCommand(
            "CancelDemo probe: cancels requests the ways a .NET client can, then asks the server's ledger " +
            "whether it noticed, how fast the work stopped, and whether the connection survived. Exit code 0: the server " +
            "noticed every abort; 2: it missed one; 1: the probe could not run.")
        {
            scenarioArgument, baseOption, ledgerOption, protocolOption, cancelAfterOption, jsonOption, caCertOption, insecureOption, waitOption,
        };

        root.SetAction(async (parse, cancellationToken) =>
        {
            if (Console.IsOutputRedirected)
            {
                // Piped or captured: plain text, and wide enough that the table's columns are not folded.
                AnsiConsole.Profile.Capabilities.Ansi = false;
                AnsiConsole.Profile.Capabilities.Interactive = false;
                AnsiConsole.Profile.Width = 200;
            }
            var protocols = parse.GetValue(protocolOption)!;
            var baseUri = parse.GetValue(baseOption);
            if (baseUri is not null && protocols.Length > 1)
            {
                Console.Error.WriteLine("--base names one server; give one --protocol with it.");
                return 1;
            }
            var chosen = parse.GetValue(scenarioArgument)!;
            var scenarios = chosen == "all" ? Scenarios.All : [Scenarios.Find(chosen)!];
            var caCert = parse.GetValue(caCertOption)?.FullName ?? (File.Exists(ProbeSettings.DefaultCaCertificate) ? ProbeSettings.DefaultCaCertificate : null);
            if (caCert is not null && !File.Exists(caCert))
            {
                Console.Error.WriteLine($"--cacert: {caCert} does not exist.");
                return 1;
            }

            var results = new List<ScenarioResult>();
            try
            {
                await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask("probing", maxValue: protocols.Length * scenarios.Count);
                    foreach (var protocol in protocols)
                    {
                        var target = baseUri ?? protocol.DefaultBase();
                        var settings = new ProbeSettings(target, parse.GetValue(ledgerOption) ?? target, protocol,
                            parse.GetValue(cancelAfterOption), caCert, parse.GetValue(insecureOption), parse.GetValue(waitOption));
                        using var runner = new ScenarioRunner(settings);
                        foreach (var scenario in scenarios)
                        {
                            task.Description = $"{scenario.Name} over {protocol.Name()}";
                            results.Add(await runner.RunAsync(scenario, cancellationToken));
                            task.Increment(1);
                        }
                    }
                });
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine($"The probe could not reach the server: {e.Message}");
                return 1;
            }

            AnsiConsole.Write(ResultsReport.Table(results));
            foreach (var note in results.Where(r => r.Note is not null))
            {
                AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(note.Scenario)}[/]: {Markup.Escape(note.Note!)}");
            }
            if (parse.GetValue(jsonOption) is { } json)
            {
                await ResultsReport.WriteJsonAsync(json.FullName, results, cancellationToken);
                Console.WriteLine($"JSON written to {json.FullName}");
            }
            var missed = results.Count(r => r.Missed);
            if (missed > 0)
            {
                Console.Error.WriteLine($"The server did not notice {missed} abort(s) it should have.");
                return 2;
            }
            return 0;
        });
        return root;
    }

    private static Uri? AbsoluteHttpUri(string text, Action<string> error)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }
        error($"'{text}' is not an http:// or https:// URL.");
        return null;
    }
}
