using System.Security.Cryptography.X509Certificates;

namespace CancelDemo.Probe;

/// <summary>
/// Runs a scenario on a fresh connection pool, then asks the server's ledger what it saw, and
/// sends one follow-up request on the same client to learn whether the connection survived.
/// </summary>
public sealed class ScenarioRunner : IDisposable
{
    private const string RequestIdHeader = "X-Request-Id";
    private readonly ProbeSettings _settings;
    private readonly X509Certificate2? _trusted;
    private readonly HttpClient _ledgerClient;
    private readonly LedgerReader _ledger;

    public ScenarioRunner(ProbeSettings settings)
    {
        _settings = settings;
        _trusted = settings.CaCertificate is { } pem ? X509Certificate2.CreateFromPem(File.ReadAllText(pem)) : null;
        // The ledger is read over HTTP/1.1, unless it lives on the h2c listener that speaks only HTTP/2.
        var ledgerVersion = settings.Protocol == Transport.H2c && settings.Ledger == settings.Base ? Transport.H2c.Version() : Transport.Http1.Version();
        _ledgerClient = HttpClients.Create(settings.Ledger, ledgerVersion, NewHandler());
        _ledgerClient.Timeout = TimeSpan.FromSeconds(10);
        _ledger = new LedgerReader(_ledgerClient, settings.LedgerWait);
    }

    public async Task<ScenarioResult> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var id = $"probe-{scenario.Name}-{Guid.NewGuid():N}"[..Math.Min(scenario.Name.Length + 18, 128)];
        using var client = HttpClients.Create(_settings.Base, _settings.Protocol.Version(), NewHandler());
        var cancelAfter = _settings.CancelAfter ?? scenario.DefaultCancelAfter;

        var clientSide = await scenario.Run(client, Get(scenario.PathAndQuery, id), cancelAfter, cancellationToken);
        var entry = await _ledger.WaitForEndAsync(id, cancellationToken);
        var reused = await ConnectionReusedAsync(client, id, entry, cancellationToken);

        var noticed = entry?.Outcome == "clientAborted";
        return new ScenarioResult(
            scenario.Name,
            _settings.Protocol.Name(),
            id,
            noticed,
            entry?.Outcome ?? (entry is null ? "not in ledger" : null),
            entry?.StatusCode,
            entry?.Protocol,
            entry?.AbortToStopMs,
            entry?.AbortObservedAt is { } observed ? (observed - clientSide.CancelledAt).TotalMilliseconds : null,
            scenario.Unit.ToString().ToLowerInvariant(),
            WorkAtCancel(scenario, clientSide, entry),
            WorkTotal(scenario, entry),
            clientSide.ReceivedBytes,
            reused,
            clientSide.Error,
            entry is null ? $"no ledger entry {id} at {_settings.Ledger}" : null);
    }

    public void Dispose()
    {
        _ledgerClient.Dispose();
        _trusted?.Dispose();
    }

    /// <summary>What the server should have done by the client's cancel: from elapsed time for loops and streams, from what arrived for bytes.</summary>
    private static long? WorkAtCancel(Scenario scenario, ClientSide client, ServerEntry? entry)
    {
        var elapsed = client.CancelledAt - client.SentAt;
        return scenario.Unit switch
        {
            WorkUnit.Iterations => Math.Min(entry?.IterationsPlanned ?? long.MaxValue, (long)(elapsed / scenario.Step)),
            WorkUnit.Chunks => Math.Min(entry?.IterationsPlanned ?? long.MaxValue, (long)(elapsed / scenario.Step) + 1),
            _ => client.ReceivedBytes,
        };
    }

    private static long? WorkTotal(Scenario scenario, ServerEntry? entry) => entry is null ? null : scenario.Unit switch
    {
        WorkUnit.Bytes => entry.BytesWritten,
        _ => entry.IterationsCompleted,
    };

    /// <summary>HTTP/1.1 closes the connection on cancel; HTTP/2 resets only the stream and keeps it.</summary>
    private async Task<bool?> ConnectionReusedAsync(HttpClient client, string id, ServerEntry? entry, CancellationToken cancellationToken)
    {
        if (entry is null)
        {
            return null;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(30));
        var nextId = $"{id}-next";
        using (await client.SendAsync(Get("/http1?iterations=1&stepMs=1", nextId), bounded.Token))
        {
        }
        var next = await _ledger.WaitForEndAsync(nextId, cancellationToken);
        return next is null ? null : next.ConnectionId == entry.ConnectionId;
    }

    private static HttpRequestMessage Get(string pathAndQuery, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery.TrimStart('/'));
        request.Headers.Add(RequestIdHeader, id);
        return request;
    }

    private SocketsHttpHandler NewHandler() => HttpClients.Handler(_trusted, _settings.Insecure);
}
