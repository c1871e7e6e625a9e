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

    private AspireDashboard(ChildProcess process, Uri ui, Uri otlp)
    {
        _process = process;
        Ui = ui;
        Otlp = otlp;
        Telemetry = new Api(ui);
    }

    /// <summary>The dashboard's program, in the NuGet package folder (see the project file).</summary>
    public static string Program { get; } = typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AspireDashboard").Value!;

    /// <summary>The browser UI and the telemetry API.</summary>
    public Uri Ui { get; }

    /// <summary>Where OTEL_EXPORTER_OTLP_ENDPOINT points (OTLP over gRPC).</summary>
    public Uri Otlp { get; }

    public string Output => _process.Output;

    /// <summary>This dashboard's telemetry API.</summary>
    public Api Telemetry { get; }

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

    public async ValueTask DisposeAsync()
    {
        Telemetry.Dispose();
        await _process.DisposeAsync();
    }

    /// <summary>A dashboard's telemetry API (OTLP JSON): this one's, or one started otherwise (samples/dashboard/run.sh).</summary>
    public sealed class Api(Uri ui) : IDisposable
    {
        private readonly HttpClient _client = new() { BaseAddress = ui, Timeout = TimeSpan.FromSeconds(30) };

        /// <summary>The spans the dashboard holds for <paramref name="traceId"/> (none if it has not seen the trace).</summary>
        public async Task<IReadOnlyList<TraceSpan>> TraceAsync(string traceId)
        {
            using var response = await _client.GetAsync(new Uri($"api/telemetry/traces/{traceId}", UriKind.Relative));
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
        public Task<IReadOnlyList<TraceSpan>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<TraceSpan>, bool> complete, TimeSpan? bound = null) =>
            WaitForAsync(() => TraceAsync(traceId), complete, bound, spans => $"trace {traceId} did not arrive whole; it has {spans.Count} span(s): " +
                string.Join("; ", spans.Select(s => $"{s.Service} {s.Scope} \"{s.Name}\"")));

        /// <summary>The log records of <paramref name="traceId"/>, with the service that sent each.</summary>
        public async Task<IReadOnlyList<(string Service, string Body)>> LogsAsync(string traceId)
        {
            using var document = JsonDocument.Parse(await _client.GetStringAsync(new Uri("api/telemetry/logs", UriKind.Relative)));
            var root = document.RootElement.TryGetProperty("data", out var d) ? d : document.RootElement;
            var logs = new List<(string, string)>();
            foreach (var resource in root.GetProperty("resourceLogs").EnumerateArray())
            {
                var service = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                    .FirstOrDefault(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString() ?? "?";
                foreach (var record in resource.GetProperty("scopeLogs").EnumerateArray().SelectMany(s => s.GetProperty("logRecords").EnumerateArray()))
                {
                    if (record.TryGetProperty("traceId", out var t) && t.GetString() == traceId && record.TryGetProperty("body", out var body))
                    {
                        logs.Add((service, body.TryGetProperty("stringValue", out var text) ? text.GetString() ?? "" : body.GetRawText()));
                    }
                }
            }
            return logs;
        }

        public Task<IReadOnlyList<(string Service, string Body)>> WaitForLogsAsync(string traceId, Func<IReadOnlyList<(string Service, string Body)>, bool> complete) =>
            WaitForAsync(() => LogsAsync(traceId), complete, null, logs => $"the logs of trace {traceId} did not arrive; it has: " +
                string.Join("; ", logs.Select(l => $"{l.Service}: {l.Body}")));

        /// <summary>Reads until <paramref name="complete"/> holds, bounded (60 s by default); the failure says what had arrived.</summary>
        private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> complete, TimeSpan? bound, Func<T, string> describe)
        {
            var last = default(T)!;
            try
            {
                await Polling.UntilAsync(async () => complete(last = await read()), bound ?? TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(describe(last));
            }
            return last;
        }

        public void Dispose() => _client.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex UiLine();

    [GeneratedRegex(@"OTLP/gRPC listening on: (?<url>http://\S+)")]
    private static partial Regex OtlpLine();
}
