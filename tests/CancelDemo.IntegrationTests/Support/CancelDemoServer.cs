using System.Net;
using CancelDemo.Server.Hosting;
using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// The real server on real sockets: Kestrel with the three named listeners of DESIGN.md on
/// 127.0.0.1 port 0. Owns the host's overrides and the client helpers every test uses.
/// </summary>
public class CancelDemoServer : WebApplicationFactory<Program>
{
    // One certificate for the whole run: made once, like a user's first start.
    private static readonly string StateDirectory = Path.Combine(Path.GetTempPath(), "canceldemo-tests-state");
    private readonly Dictionary<string, string?> _settings;

    public CancelDemoServer()
        : this(null)
    {
    }

    private protected CancelDemoServer(IDictionary<string, string?>? settings)
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

    public RequestLedger Ledger => Services.GetRequiredService<RequestLedger>();

    public LocalhostCertificate Certificate => Services.GetRequiredService<LocalhostCertificate>();

    public Uri BaseAddress(Transport transport) => Services.GetRequiredService<Listeners>().Url(transport switch
    {
        Transport.Http11 => Listeners.Http1,
        Transport.Http2Tls => Listeners.Https,
        _ => Listeners.H2c,
    })!;

    /// <summary>A client that speaks exactly <paramref name="transport"/>'s protocol and trusts only our certificate.</summary>
    public HttpClient CreateClient(Transport transport, SocketsHttpHandler? handler = null)
    {
        handler ??= new SocketsHttpHandler();
        var trusted = Certificate.Certificate;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString();
        return new HttpClient(new CancelDemo.Probe.VersionPinningHandler(transport.Version(), handler))
        {
            BaseAddress = BaseAddress(transport),
            DefaultRequestVersion = transport.Version(),
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public static HttpRequestMessage Get(string pathAndQuery, string requestId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Add(RequestId.Header, requestId);
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

    public Task<LedgerEntry> WaitForEndAsync(string id, TimeSpan? timeout = null) =>
        WaitForEntryAsync(id, e => e.EndedAt is not null, timeout);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }
}
