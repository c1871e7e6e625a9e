namespace CancelDemo.Probe.Storm;

/// <summary>
/// N requests in flight at once, then all cancelled at the same moment. Implementations keep the client's
/// own share of the latency as small as it can be: connections and requests are set up first, and the cancel
/// is a tight loop of socket closes (HTTP/1.1) or one write of prebuilt RST_STREAM frames per connection (HTTP/2).
/// </summary>
public interface IStormClient : IAsyncDisposable
{
    /// <summary>Opens the connections and sends one request per id; returns once every request has been written.</summary>
    Task OpenAsync(Uri baseAddress, string pathAndQuery, IReadOnlyList<string> requestIds, CancellationToken cancellationToken);

    /// <summary>Cancels every request as fast as possible; returns when each request's cancel was issued (UTC), by id.</summary>
    IReadOnlyDictionary<string, DateTimeOffset> CancelAll();
}

public static class StormClients
{
    public static IStormClient For(Transport transport) => transport == Transport.Http1 ? new Http1StormClient() : new Http2StormClient(tls: transport == Transport.Https);
}
