using CancelDemo.Server.Kestrel;
using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// The real server on real sockets: Kestrel with its three named listeners on 127.0.0.1 port 0.
/// Owns the host's overrides and the client helpers every test uses.
/// </summary>
public class CancelDemoServer : WebApplicationFactory<Program>
{
    /// <summary>One certificate for the whole run: made once, like a user's first start.</summary>
    public static readonly string StateDirectory = Path.Combine(Path.GetTempPath(), "canceldemo-tests-state");
    private readonly Dictionary<string, string?> _settings;

    public CancelDemoServer()
        : this(null)
    {
    }

    /// <param name="settings">Configuration on top of the test defaults (a class fixture may have only one public constructor).</param>
    protected CancelDemoServer(IReadOnlyDictionary<string, string?>? settings)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http1:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:H2c:Url"] = "http://127.0.0.1:0",
            ["Tls:StateDirectory"] = StateDirectory,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
        UseKestrel();
        StartServer();
    }

    public LogCapture Logs { get; } = new();

    /// <summary>A server of its own with <paramref name="settings"/> on top of the test defaults.</summary>
    public static CancelDemoServer With(IReadOnlyDictionary<string, string?> settings) => new Configured(settings);

    public RequestLedger Ledger => Services.GetRequiredService<RequestLedger>();

    public LocalhostCertificate Certificate => Services.GetRequiredService<LocalhostCertificate>();

    /// <summary>The listener of <paramref name="transport"/> (the transports are named after the listeners).</summary>
    public Uri BaseAddress(Transport transport) => Services.GetRequiredService<Listeners>().Url(transport.ToString())!;

    /// <summary>A client that speaks exactly <paramref name="transport"/>'s protocol and trusts only our certificate.</summary>
    public HttpClient CreateClient(Transport transport, SocketsHttpHandler? handler = null) =>
        HttpClients.Create(BaseAddress(transport), transport.Version(), HttpClients.Handler(Certificate.Certificate, handler: handler ?? new SocketsHttpHandler()));

    public static HttpRequestMessage Get(string pathAndQuery, string requestId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Add(RequestIds.Header, requestId);
        return request;
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];

    /// <summary>Waits, bounded, until the ledger entry <paramref name="id"/> satisfies <paramref name="condition"/>.</summary>
    public async Task<LedgerEntry> WaitForEntryAsync(string id, Func<LedgerEntry, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TaskTimeouts.Default);
        // Subscribe before looking, so a change between the look and the subscription is not missed.
        using var subscription = Ledger.Subscribe();
        if (Ledger.Find(id) is { } current && condition(current))
        {
            return current;
        }
        await foreach (var change in subscription.ReadAllAsync(cts.Token))
        {
            if (change.Id == id && Ledger.Find(id) is { } entry && condition(entry))
            {
                return entry;
            }
        }
        throw new TimeoutException($"Ledger entry '{id}' did not reach the expected state; last seen: {Ledger.Find(id)}");
    }

    /// <summary>
    /// Sends <paramref name="pathAndQuery"/>, cancels the client's token once the ledger entry satisfies
    /// <paramref name="cancelWhen"/>, checks the client saw its own cancellation, and returns the entry once ended.
    /// </summary>
    public async Task<LedgerEntry> CancelMidRequestAsync(HttpClient client, string pathAndQuery, string id, Func<LedgerEntry, bool> cancelWhen)
    {
        using var cts = new CancellationTokenSource();
        var call = client.SendAsync(Get(pathAndQuery, id), cts.Token);
        await WaitForEntryAsync(id, cancelWhen);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        return await WaitForEndAsync(id);
    }

    /// <summary>What this server saw of request <paramref name="id"/>, for a failure's message: its ledger entry and its log lines.</summary>
    public string Describe(string id)
    {
        var report = new System.Text.StringBuilder($"server ledger {id}: {Ledger.Find(id)?.ToString() ?? "(none)"}\n");
        foreach (var line in Logs.Events.Where(e => e.Message.Contains(id, StringComparison.Ordinal)))
        {
            report.AppendLine($"server log: [{line.Level}] {line.Message}");
        }
        return report.ToString();
    }

    public Task<LedgerEntry> WaitForEndAsync(string id, TimeSpan? timeout = null) =>
        WaitForEntryAsync(id, e => e.EndedAt is not null, timeout);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // As the app's own configuration, after every other source: UseSetting passes settings the way the command
        // line does, and for a key like Serilog:MinimumLevel:Default it also leaves an empty Serilog:MinimumLevel,
        // which Serilog refuses as a level.
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services => services.AddSingleton<Serilog.Core.ILogEventSink>(Logs));
    }
}

file sealed class Configured(IReadOnlyDictionary<string, string?> settings) : CancelDemoServer(settings);

/// <summary>The seed's server: nothing detects a client that vanished.</summary>
public sealed class DeadPeerOffServer() : CancelDemoServer(new Dictionary<string, string?> { ["DeadPeer:Enabled"] = "false" });

/// <summary>Short detection bounds, so tests prove them in seconds: 4 s of silence over TCP, 2 s + 2 s of HTTP/2 ping.</summary>
public sealed class ShortDeadPeerServer() : CancelDemoServer(Settings)
{
    public static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan TcpBound = SilenceTimeout + TimeSpan.FromSeconds(2); // silence + two looks of the watchdog
    public static readonly TimeSpan Http2Bound = TimeSpan.FromSeconds(2 + 2 + 1);        // ping delay + ping timeout + heartbeat

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["DeadPeer:TcpKeepAliveIdle"] = "00:00:02",
        ["DeadPeer:TcpKeepAliveInterval"] = "00:00:01",
        ["DeadPeer:SilenceTimeout"] = "00:00:04",
        ["DeadPeer:Http2PingDelay"] = "00:00:02",
        ["DeadPeer:Http2PingTimeout"] = "00:00:02",
    };
}
