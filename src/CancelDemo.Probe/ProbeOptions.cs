using System.CommandLine;

namespace CancelDemo.Probe;

/// <summary>The probe's argument and options, with their help text and parsers.</summary>
public sealed class ProbeOptions
{
    public Argument<string> ScenarioArgument { get; } = new("scenario")
    {
        Description = $"A scenario, or 'all' of them: {string.Join(", ", Scenarios.All.Select(s => s.Name))}. " +
                      "Or 'chain': /chain through the hops to a loop or a query, shown as a waterfall (see --downstream, --leaf, --hops).",
    };

    public Option<Uri?> BaseOption { get; } = new("--base")
    {
        CustomParser = result => AbsoluteHttpUri(result.Tokens.Single().Value, result.AddError),
        Description = "Where requests go: the server or a proxy in front of it. Default: the server's listener for --protocol (http://localhost:8080, https://localhost:8081, http://localhost:8082).",
    };

    public Option<Uri?> LedgerOption { get; } = new("--ledger")
    {
        CustomParser = result => AbsoluteHttpUri(result.Tokens.Single().Value, result.AddError),
        Description = "Where the server's ledger is read (GET /requests/{id}). Default: --base; set it to the server when --base is a proxy.",
    };

    public Option<Transport[]> ProtocolOption { get; } = TransportsOption("--protocol",
        "How the probe talks to --base: 1.1, 2 (HTTP/2 over TLS), h2c (cleartext HTTP/2), or all. Repeatable. Default: 1.1.", Transport.Http1);

    public Option<Transport[]> DownstreamOption { get; } = TransportsOption("--downstream",
        "chain: how each hop calls the next: 1.1, 2, h2c, or all. Repeatable. Default: h2c.", Transport.H2c);

    public Option<string> LeafOption { get; } = new("--leaf")
    {
        Description = "chain: what the last hop does: loop (the costly loop) or query (a PostgreSQL statement; the server needs ConnectionStrings:Postgres). Default: loop.",
        DefaultValueFactory = _ => "loop",
    };

    public Option<int> HopsOption { get; } = new("--hops")
    {
        Description = "chain: how many servers the edge calls in a row before the leaf (0-5, as /chain takes; 0: the edge is the leaf). Default: 1.",
        DefaultValueFactory = _ => 1,
        CustomParser = result =>
        {
            if (int.TryParse(result.Tokens.Single().Value, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 5)
            {
                return n;
            }
            result.AddError($"'{result.Tokens.Single().Value}' is not a hop count; use a whole number from 0 to 5.");
            return 1;
        },
    };

    public Option<TimeSpan?> CancelAfterOption { get; } = new("--cancel-after")
    {
        Description = "When the client gives up, e.g. 2s, 500ms, 1.5s. Default: each scenario's seed value (2 s for the loop, 1 s for downloads and streams).",
        CustomParser = result => Durations.Parse(result.Tokens.Single().Value, result.AddError),
    };

    public Option<int> RepeatOption { get; } = new("--repeat")
    {
        Description = "Run each scenario this many times (1-1000) and print percentiles of the latencies: the benchmark. Default: 1.",
        DefaultValueFactory = _ => 1,
        CustomParser = result =>
        {
            if (int.TryParse(result.Tokens.Single().Value, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1000)
            {
                return n;
            }
            result.AddError($"'{result.Tokens.Single().Value}' is not a repeat count; use a whole number from 1 to 1000.");
            return 1;
        },
    };

    public Option<FileInfo?> JsonOption { get; } = new("--json") { Description = "Also write the results as JSON to this file." };

    public Option<FileInfo?> MarkdownOption { get; } = new("--markdown") { Description = "Also write the table as Markdown to this file (for docs/)." };

    public Option<FileInfo?> CaCertOption { get; } = new("--cacert")
    {
        Description = $"A PEM certificate to trust for TLS (the server prints its own). Default: {ProbeSettings.DefaultCaCertificate} when it exists.",
    };

    public Option<bool> InsecureOption { get; } = new("--insecure") { Description = "Do not verify TLS certificates (prefer --cacert)." };

    public Option<TimeSpan> WaitOption { get; } = new("--ledger-wait")
    {
        Description = "How long to wait for the server to finish a request before reading its verdict. Default: 30s.",
        CustomParser = result => Durations.Parse(result.Tokens.Single().Value, result.AddError) ?? TimeSpan.Zero,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
    };

    public ProbeOptions()
    {
        ScenarioArgument.AcceptOnlyFromAmong([.. Scenarios.All.Select(s => s.Name), "all", "chain"]);
        LeafOption.AcceptOnlyFromAmong("loop", "query");
    }

    public IEnumerable<Symbol> All => [ScenarioArgument, BaseOption, LedgerOption, ProtocolOption, CancelAfterOption, RepeatOption, JsonOption, MarkdownOption,
        CaCertOption, InsecureOption, WaitOption, DownstreamOption, LeafOption, HopsOption];

    private static Option<Transport[]> TransportsOption(string name, string description, Transport defaultValue) => new(name)
    {
        Description = description,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result =>
        {
            var protocols = new List<Transport>();
            foreach (var token in result.Tokens.Select(t => t.Value))
            {
                if (token == "all")
                {
                    protocols.AddRange(Transports.All);
                }
                else if (Transports.Parse(token) is { } protocol)
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
        DefaultValueFactory = _ => [defaultValue],
    };

    internal static Uri? AbsoluteHttpUri(string text, Action<string> error)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }
        error($"'{text}' is not an http:// or https:// URL.");
        return null;
    }
}
