using System.CommandLine;
using Spectre.Console;

namespace CancelDemo.Probe;

/// <summary>The probe's command line: runs the chosen scenarios, prints the table, sets the exit code.</summary>
public static class ProbeCommand
{
    public static RootCommand Create()
    {
        var options = new ProbeOptions();
        var root = new RootCommand(
            "CancelDemo probe: cancels requests the ways a .NET client can, then asks the server's ledger " +
            "whether it noticed, how fast the work stopped, and whether the connection survived. Exit code 0: the server " +
            "noticed every abort; 2: it missed one; 1: the probe could not run.");
        foreach (var symbol in options.All)
        {
            switch (symbol)
            {
                case Argument argument:
                    root.Add(argument);
                    break;
                case Option option:
                    root.Add(option);
                    break;
            }
        }
        root.SetAction((parse, cancellationToken) => RunAsync(options, parse, cancellationToken));
        root.Add(Storm.StormCommands.Storm());
        root.Add(Storm.StormCommands.Report());
        root.Add(Audit.AuditCommand.Create());
        return root;
    }

    private static async Task<int> RunAsync(ProbeOptions o, ParseResult parse, CancellationToken cancellationToken)
    {
        var protocols = parse.GetValue(o.ProtocolOption)!;
        var baseUri = parse.GetValue(o.BaseOption);
        if (baseUri is not null && protocols.Length > 1)
        {
            Console.Error.WriteLine("--base names one server; give one --protocol with it.");
            return 1;
        }
        var chosen = parse.GetValue(o.ScenarioArgument)!;
        var caCert = parse.GetValue(o.CaCertOption)?.FullName ?? (File.Exists(ProbeSettings.DefaultCaCertificate) ? ProbeSettings.DefaultCaCertificate : null);
        if (caCert is not null && !File.Exists(caCert))
        {
            Console.Error.WriteLine($"--cacert: {caCert} does not exist.");
            return 1;
        }
        ProbeTarget TargetFor(Transport protocol)
        {
            var target = baseUri ?? protocol.DefaultBase();
            return new ProbeTarget(new ProbeSettings(target, parse.GetValue(o.LedgerOption) ?? target, protocol,
                parse.GetValue(o.CancelAfterOption), caCert, parse.GetValue(o.InsecureOption), parse.GetValue(o.WaitOption)));
        }
        var command = "dotnet run --project src/CancelDemo.Probe -- " + string.Join(' ', parse.Tokens.Select(t => t.Value));
        try
        {
            return chosen == "chain"
                ? await RunChainsAsync(o, parse, protocols, TargetFor, command, cancellationToken)
                : await RunScenariosAsync(o, parse, protocols, chosen == "all" ? Scenarios.All : [Scenarios.Find(chosen)!], TargetFor, command, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"The probe could not reach the server: {ProbeErrors.Describe(e)}");
            return 1;
        }
    }

    private static async Task<int> RunScenariosAsync(ProbeOptions o, ParseResult parse, Transport[] protocols, IReadOnlyList<Scenario> scenarios,
        Func<Transport, ProbeTarget> targetFor, string command, CancellationToken cancellationToken)
    {
        var results = new List<ScenarioResult>();
        var repeat = parse.GetValue(o.RepeatOption);
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask("probing", maxValue: protocols.Length * scenarios.Count * repeat);
            foreach (var protocol in protocols)
            {
                using var target = targetFor(protocol);
                var runner = new ScenarioRunner(target);
                foreach (var scenario in scenarios)
                {
                    for (var run = 1; run <= repeat; run++)
                    {
                        task.Description = repeat == 1 ? $"{scenario.Name} over {protocol.Name()}" : $"{scenario.Name} over {protocol.Name()} ({run}/{repeat})";
                        results.Add(await runner.RunAsync(scenario, cancellationToken));
                        task.Increment(1);
                    }
                }
            }
        });

        AnsiConsole.Write(repeat > 1 ? ResultsReport.Percentiles(results) : ResultsReport.Table(results));
        foreach (var note in results.Where(r => r.Note is not null))
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(note.Scenario)}[/]: {Markup.Escape(note.Note!)}");
        }
        if (parse.GetValue(o.JsonOption) is { } json)
        {
            await ResultsReport.WriteJsonAsync(json.FullName, results, cancellationToken);
            Console.WriteLine($"JSON written to {json.FullName}");
        }
        if (parse.GetValue(o.MarkdownOption) is { } markdown)
        {
            await ResultsReport.WriteMarkdownAsync(markdown.FullName, "Client cancellation, measured", results, command, cancellationToken);
            Console.WriteLine($"Markdown written to {markdown.FullName}");
        }
        var missed = results.Count(r => r.Missed);
        if (missed > 0)
        {
            Console.Error.WriteLine($"The server did not notice {missed} abort(s) it should have.");
            return 2;
        }
        return 0;
    }

    private static async Task<int> RunChainsAsync(ProbeOptions o, ParseResult parse, Transport[] protocols, Func<Transport, ProbeTarget> targetFor,
        string command, CancellationToken cancellationToken)
    {
        var downstreams = parse.GetValue(o.DownstreamOption)!;
        var leaf = parse.GetValue(o.LeafOption)!;
        var hops = parse.GetValue(o.HopsOption);
        var repeat = parse.GetValue(o.RepeatOption);
        var waterfalls = new List<Waterfall>();
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask("probing", maxValue: protocols.Length * downstreams.Length * repeat);
            foreach (var protocol in protocols)
            {
                using var target = targetFor(protocol);
                var runner = new ChainRunner(target);
                foreach (var downstream in downstreams)
                {
                    for (var run = 1; run <= repeat; run++)
                    {
                        task.Description = $"chain: {protocol.Name()} → {downstream.Name()} → {leaf} ({run}/{repeat})";
                        waterfalls.Add(await runner.RunAsync(downstream, leaf, hops, cancellationToken));
                        task.Increment(1);
                    }
                }
            }
        });

        if (repeat > 1)
        {
            AnsiConsole.Write(WaterfallReport.Percentiles(waterfalls));
        }
        else
        {
            foreach (var waterfall in waterfalls)
            {
                AnsiConsole.Write(waterfall.ToTable());
            }
        }
        if (parse.GetValue(o.JsonOption) is { } json)
        {
            await using var file = File.Create(json.FullName);
            await System.Text.Json.JsonSerializer.SerializeAsync(file, waterfalls, ResultsReport.Json, cancellationToken);
            Console.WriteLine($"JSON written to {json.FullName}");
        }
        if (parse.GetValue(o.MarkdownOption) is { } markdown)
        {
            await File.WriteAllLinesAsync(markdown.FullName, WaterfallReport.Markdown("Propagation through /chain, measured", waterfalls, command), cancellationToken);
            Console.WriteLine($"Markdown written to {markdown.FullName}");
        }
        var missed = waterfalls.Count(w => !w.AllStopped);
        if (missed > 0)
        {
            Console.Error.WriteLine($"In {missed} chain(s) a hop or the database did not stop.");
            return 2;
        }
        return 0;
    }
}
