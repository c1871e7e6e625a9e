using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// The standalone Aspire Dashboard (NuGet Aspire.Dashboard.Sdk.linux-x64, downloaded by this project's restore) as a
/// process of its own on loopback, anonymous, with the OTLP/gRPC receiver and the browser UI on ports the system
/// picks. Traces are read back as OTLP JSON from its API (GET /api/telemetry/traces/{traceId}). Disposing stops it.
/// </summary>
public sealed partial class AspireDashboard : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _api;

    private AspireDashboard(ChildProcess process, Uri ui, Uri otlp)
    {
        _process = process;
        Ui = ui;
        Otlp = otlp;
        _api = new HttpClient { BaseAddress = ui, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The dashboard's program, in the NuGet package folder (see the project file).</summary>
    public static string Program { get; } = typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AspireDashboard").Value!;

    /// <summary>The browser UI and the telemetry API.</summary>
    public Uri Ui { get; }

    /// <summary>Where OTEL_EXPORTER_OTLP_ENDPOINT points (OTLP over gRPC).</summary>
    public Uri Otlp { get; }

    public string Output => _process.Output;

    public static async Task<AspireDashboard> StartAsync()
    {
        if (!File.Exists(Program))
        {
            throw new FileNotFoundException($"the Aspire Dashboard is not at {Program}: restore tests/CancelDemo.IntegrationTests (it downloads the package)");
        }
        Uri? ui = null, otlp = null;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ChildProcess.Start(Program, [], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://127.0.0.1:0",
            ["DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
        }, onLine: line =>
        {
            if (UiLine().Match(line) is { Success: true } u)
            {
                ui = new Uri(u.Groups["url"].Value);
            }
            else if (OtlpLine().Match(line) is { Success: true } o)
            {
                otlp = new Uri(o.Groups["url"].Value);
            }
            if (ui is not null && otlp is not null)
            {
                listening.TrySetResult();
            }
        });
        try
        {
            await listening.Task.WaitAsync(TaskTimeouts.Default);
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new TimeoutException($"the Aspire Dashboard did not start listening: {process.Output}");
        }
        return new AspireDashboard(process, ui!, otlp!);
    }

    /// <summary>The spans the dashboard holds for <paramref name="traceId"/> (none if it has not seen the trace).</summary>
    public async Task<IReadOnlyList<TraceSpan>> TraceAsync(string traceId)
    {
        using var response = await _api.GetAsync(new Uri($"api/telemetry/traces/{traceId}", UriKind.Relative));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return TraceSpan.Parse(document.RootElement);
    }

    /// <summary>
    /// Reads the trace until <paramref name="complete"/> holds (exporters send in batches, each process on its own
    /// schedule), bounded by <paramref name="bound"/>; the failure names the spans that had arrived.
    /// </summary>
    public async Task<IReadOnlyList<TraceSpan>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<TraceSpan>, bool> complete, TimeSpan? bound = null)
    {
        IReadOnlyList<TraceSpan> spans = [];
        try
        {
            await Polling.UntilAsync(async () => complete(spans = await TraceAsync(traceId)), bound ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"trace {traceId} did not arrive whole; it has {spans.Count} span(s): " +
                string.Join("; ", spans.Select(s => $"{s.Service} {s.Scope} \"{s.Name}\"")));
        }
        return spans;
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex UiLine();

    [GeneratedRegex(@"OTLP/gRPC listening on: (?<url>http://\S+)")]
    private static partial Regex OtlpLine();
}
