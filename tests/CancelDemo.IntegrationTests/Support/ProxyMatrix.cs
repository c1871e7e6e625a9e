using System.Collections.Concurrent;
using System.Globalization;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>One proxy configuration: a proxy and the value of the setting that decides propagation.</summary>
public sealed record ProxySetup(string Proxy, string SettingName, string EnvironmentKey, string EnvironmentValue)
{
    public override string ToString() => $"{Proxy} ({SettingName})";

    public IReadOnlyDictionary<string, string> Environment =>
        EnvironmentKey.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [EnvironmentKey] = EnvironmentValue };
}

/// <summary>One measured case of the proxy matrix, as it goes into docs/proxies.md.</summary>
public sealed record ProxyMeasurement(
    string Proxy, string Setting, string Client, string Route, string ServerProtocol, bool Noticed, double? AbortToStopMs, double? CancelToNoticeMs, string? ProxyLogged);

/// <summary>One of YARP's timeouts, as it goes into docs/proxies.md.</summary>
public sealed record YarpTimeoutMeasurement(string Timeout, string Route, int ClientGot, double? SentToNoticeMs, double? AbortToStopMs, string ServerOutcome, string? ProxyLogged);

/// <summary>
/// The server, the proxies (one process per setup, started once) and the measurements of the matrix.
/// With CANCELDEMO_WRITE_DOCS=1 the measurements are written to docs/proxies.md; otherwise to artifacts.
/// </summary>
public sealed class ProxyMatrix : IAsyncLifetime
{
    public static readonly string[] Proxies = ["nginx", "haproxy", "caddy", "h2o", "yarp"];
    private readonly ConcurrentDictionary<ProxySetup, Lazy<Task<ProxyProcess>>> _proxies = new();
    private readonly ConcurrentQueue<ProxyMeasurement> _measurements = new();
    private readonly ConcurrentQueue<YarpTimeoutMeasurement> _timeouts = new();

    public CancelDemoServer Server { get; } = new();

    public Task<ProxyProcess> ProxyAsync(ProxySetup setup) =>
        _proxies.GetOrAdd(setup, s => new Lazy<Task<ProxyProcess>>(() => ProxyProcess.StartAsync(s.Proxy, Server, s.Environment))).Value;

    public void Record(ProxyMeasurement measurement) => _measurements.Enqueue(measurement);

    public void RecordTimeout(YarpTimeoutMeasurement measurement) => _timeouts.Enqueue(measurement);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (!_measurements.IsEmpty || !_timeouts.IsEmpty)
        {
            await WriteReportAsync();
        }
        foreach (var proxy in _proxies.Values.Where(p => p.IsValueCreated))
        {
            await (await proxy.Value).DisposeAsync();
        }
        await Server.DisposeAsync();
    }

    private async Task WriteReportAsync()
    {
        var path = MeasuredDocs.PathOf("proxies.md");
        var lines = new List<string>
        {
            "# Reverse proxies: does the client's abort reach the server?",
            "",
            $"Measured by `CANCELDEMO_WRITE_DOCS=1 ./test.sh --filter ProxyMatrixTests` on {DateTime.UtcNow:yyyy-MM-dd} with the Debian packages",
            "nginx-light 1.22, HAProxy 2.6, Caddy 2.6 and h2o 2.2, and YARP 2.3 (`samples/proxies/yarp`, from NuGet), configured by `samples/proxies/`.",
            "The client is .NET's HttpClient over TLS;",
            "it cancels a 12 × 250 ms `/http1` or `/http2` request after two iterations (HTTP/1.1: it closes the connection; HTTP/2: RST_STREAM).",
            "\"Server saw\" is the protocol the server recorded from the proxy. \"Cancel-to-notice\" is from the client's cancel to the server's",
            "`RequestAborted`; \"abort-to-stop\" is from there to the work stopping. \"Proxy logged\" is the status in the proxy's own access log",
            "(HAProxy adds its termination state: `CD` = client aborted during data, `CH` = during headers; Caddy logs 0 for an aborted request;",
            "YARP has no access log of its own: the sample writes the response's status when the pipeline ends).",
            "",
            "| proxy | setting | client | upstream route | server saw | upstream noticed? | cancel-to-notice ms | abort-to-stop ms | proxy logged |",
            "|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(_measurements
            .OrderBy(m => Array.IndexOf(Proxies, m.Proxy)).ThenBy(m => m.Setting, StringComparer.Ordinal).ThenBy(m => m.Client, StringComparer.Ordinal).ThenBy(m => m.Route, StringComparer.Ordinal)
            .Select(m => $"| {m.Proxy} | {m.Setting} | {m.Client} | {m.Route} | {m.ServerProtocol} | {(m.Noticed ? "yes" : "**no** (ran to completion)")} | " +
                         $"{Number(m.CancelToNoticeMs)} | {Number(m.AbortToStopMs)} | {m.ProxyLogged ?? "-"} |"));
        lines.Add("");
        if (!_timeouts.IsEmpty)
        {
            lines.AddRange(
            [
                "## YARP's timeouts",
                "",
                "Nobody cancels here: YARP gives up on the upstream call after 1 s (`samples/proxies/yarp/appsettings.json`). \"Noticed\" is from the",
                "request being sent to the server's `RequestAborted`. Both cancel the upstream call; YARP logs the route's `Timeout` as",
                "`RequestCanceled` at Debug (the client gets 400: the timeout is taken for the client's own cancel) and the cluster's",
                "`ActivityTimeout` as `RequestTimedOut` at Warning (504); `YarpsTimeoutsCancelTheUpstreamCall` asserts both.",
                "",
                "| timeout | route | the client got | server noticed ms after sending | abort-to-stop ms | server recorded | proxy logged |",
                "|---|---|---|---|---|---|---|",
            ]);
            lines.AddRange(_timeouts.OrderBy(t => t.Timeout, StringComparer.Ordinal).Select(t =>
                $"| {t.Timeout} | {t.Route} | {t.ClientGot} | {Number(t.SentToNoticeMs)} | {Number(t.AbortToStopMs)} | {t.ServerOutcome} | {t.ProxyLogged ?? "-"} |"));
            lines.Add("");
        }
        await File.WriteAllLinesAsync(path, lines);
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
