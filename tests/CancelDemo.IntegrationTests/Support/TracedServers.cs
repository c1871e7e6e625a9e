using System.Globalization;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// For the tracing tests: a real Aspire Dashboard, a throwaway PostgreSQL, and two chains of two server processes
/// (edge → hop, each on the database) exporting to the dashboard over OTLP, one chain with ASP.NET Core's own span tags
/// off (.NET 10's default) and one with them on (Telemetry:AspNetCoreTags=true). Everything stops when the run ends.
/// </summary>
public sealed class TracedServers : IAsyncLifetime
{
    public static readonly string[] Needs = PostgresCluster.Needs;

    private readonly Dictionary<bool, (ServerProcess Edge, ServerProcess Hop)> _chains = [];
    private readonly List<IAsyncDisposable> _started = [];

    public PostgresCluster Postgres { get; } = new();

    public AspireDashboard Dashboard { get; private set; } = null!;

    /// <summary>The edge (it calls the hop for /chain) and the hop, with ASP.NET Core's own tags on or off.</summary>
    public (ServerProcess Edge, ServerProcess Hop) Chain(bool aspNetCoreTags) => _chains[aspNetCoreTags];

    /// <summary>A service's name in the traces.</summary>
    public static string ServiceName(string role, bool aspNetCoreTags) => aspNetCoreTags ? $"canceldemo-{role}-native-tags" : $"canceldemo-{role}";

    /// <summary>
    /// What a user sets to export to <paramref name="dashboard"/>, and short export intervals (the SDK's defaults are
    /// 5 s for spans and logs and 60 s for metrics) so a test does not wait for a batch.
    /// </summary>
    public static Dictionary<string, string> Exporting(AspireDashboard dashboard, string serviceName) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.Otlp.ToString(),
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    public async Task InitializeAsync()
    {
        if (Requires.SkipReason(Needs) is not null)
        {
            return; // the tests are skipped with the install command
        }
        await Postgres.InitializeAsync();
        Dashboard = await AspireDashboard.StartAsync();
        _started.Add(Dashboard);
        foreach (var tags in new[] { false, true })
        {
            var hop = await StartAsync("b", tags, downstream: null);
            var edge = await StartAsync("a", tags, downstream: hop.BaseAddress(Transport.Http1));
            _chains[tags] = (edge, hop);
            // The edge learns the hop's listeners (GET /listeners) on its first /chain: done here, in traces of their
            // own, so that the golden traces hold only the aborted request.
            using var client = edge.CreateClient(Transport.Http1);
            foreach (var protocol in new[] { "1.1", "2", "h2c" })
            {
                using var warm = await client.GetAsync(new Uri($"/chain?hops=1&downstreamProtocol={protocol}&iterations=1&stepMs=1", UriKind.Relative));
                warm.EnsureSuccessStatusCode();
            }
        }
    }

    private async Task<ServerProcess> StartAsync(string role, bool aspNetCoreTags, Uri? downstream)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = Postgres.Direct,
            ["Telemetry:AspNetCoreTags"] = aspNetCoreTags.ToString(CultureInfo.InvariantCulture),
        };
        if (downstream is not null)
        {
            settings["Downstream:BaseUrl"] = downstream.ToString();
        }
        var server = await ServerProcess.StartAsync(settings, environment: Exporting(Dashboard, ServiceName(role, aspNetCoreTags)));
        _started.Add(server);
        return server;
    }

    public async Task DisposeAsync()
    {
        foreach (var started in Enumerable.Reverse(_started))
        {
            await started.DisposeAsync();
        }
        await Postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TracingDefinition : ICollectionFixture<TracedServers>, ICollectionFixture<TracingReport>
{
    public const string Name = "Tracing";
}
