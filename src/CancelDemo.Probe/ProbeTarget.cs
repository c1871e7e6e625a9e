using System.Security.Cryptography.X509Certificates;

namespace CancelDemo.Probe;

/// <summary>
/// What every probe run talks to: the server (or proxy) requests go to, with exactly the trust the user asked
/// for, and the server's ledger, read over HTTP/1.1 (or h2c when the ledger is the h2c listener itself).
/// </summary>
public sealed class ProbeTarget : IDisposable
{
    private const string RequestIdHeader = "X-Request-Id";
    private readonly X509Certificate2? _trusted;
    private readonly HttpClient _ledgerClient;

    public ProbeTarget(ProbeSettings settings)
    {
        Settings = settings;
        _trusted = settings.CaCertificate is { } pem ? X509Certificate2.CreateFromPem(File.ReadAllText(pem)) : null;
        var ledgerVersion = settings.Protocol == Transport.H2c && settings.Ledger == settings.Base ? Transport.H2c.Version() : Transport.Http1.Version();
        _ledgerClient = HttpClients.Create(settings.Ledger, ledgerVersion, NewHandler());
        _ledgerClient.Timeout = TimeSpan.FromSeconds(10);
        Ledger = new LedgerReader(_ledgerClient, settings.LedgerWait);
    }

    public ProbeSettings Settings { get; }

    public LedgerReader Ledger { get; }

    /// <summary>The client the ledger is read with (its base address is the ledger's server).</summary>
    public HttpClient LedgerClient => _ledgerClient;

    /// <summary>A client of its own (a fresh connection pool) for one run, speaking the run's protocol.</summary>
    public HttpClient NewClient() => HttpClients.Create(Settings.Base, Settings.Protocol.Version(), NewHandler());

    public static HttpRequestMessage Get(string pathAndQuery, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery.TrimStart('/'));
        request.Headers.Add(RequestIdHeader, id);
        return request;
    }

    public void Dispose()
    {
        _ledgerClient.Dispose();
        _trusted?.Dispose();
    }

    private SocketsHttpHandler NewHandler() => HttpClients.Handler(_trusted, Settings.Insecure);
}
