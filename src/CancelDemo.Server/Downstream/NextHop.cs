using System.Net;
using System.Net.Http.Json;
using CancelDemo.Server.Kestrel;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Downstream;

/// <summary>The next hop cannot be called: what went wrong, naming the setting to change.</summary>
public sealed class NextHopUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Where the next hop listens, per protocol: this server's own listeners when Downstream:BaseUrl is unset, else what
/// the next server's /listeners says. BaseUrl may be any of its listeners: /listeners is asked over HTTP/1.1 and, if
/// the listener speaks only HTTP/2 (Kestrel answers an HTTP/1.1 request there with 400), over HTTP/2. One discovery
/// runs at a time, bounded by <see cref="DiscoveryTimeout"/>; a failed one is asked again on the next call, so a hop
/// that starts after this server is found. A loopback host in the answer is replaced by BaseUrl's host.
/// </summary>
public sealed class NextHop(IOptions<DownstreamOptions> options, Listeners listeners, DownstreamClients clients)
{
    public static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "[::]"];
    private readonly Lock _gate = new();
    private Task<Dictionary<string, Uri>>? _discovery;

    public async ValueTask<Uri> UrlAsync(HopProtocol protocol, CancellationToken cancellationToken)
    {
        var name = protocol.ToString();
        if (options.Value.BaseUrl is not { Length: > 0 } baseUrl)
        {
            return listeners.Url(name) ?? throw new NextHopUnavailableException($"This server has no {name} listener to call (Downstream:BaseUrl is unset).");
        }
        var next = await Discovery(new Uri(baseUrl)).WaitAsync(cancellationToken);
        return next.TryGetValue(name, out var uri)
            ? uri
            : throw new NextHopUnavailableException($"The next hop (Downstream:BaseUrl {baseUrl}) has no {name} listener; it has {string.Join(", ", next.Keys)}.");
    }

    /// <summary>The one discovery in flight or done; a failed one is replaced by the next caller.</summary>
    private Task<Dictionary<string, Uri>> Discovery(Uri baseUrl)
    {
        lock (_gate)
        {
            if (_discovery is null || _discovery.IsFaulted || _discovery.IsCanceled)
            {
                _discovery = DiscoverAsync(baseUrl);
            }
            return _discovery;
        }
    }

    private async Task<Dictionary<string, Uri>> DiscoverAsync(Uri baseUrl)
    {
        using var timeout = new CancellationTokenSource(DiscoveryTimeout);
        var url = new Uri(baseUrl, "listeners");
        try
        {
            var found = await AskAsync(baseUrl.Scheme == "https" ? HopProtocol.Https : HopProtocol.Http1, url, timeout.Token)
                ?? (baseUrl.Scheme == "http" ? await AskAsync(HopProtocol.H2c, url, timeout.Token) : null)
                ?? throw new NextHopUnavailableException($"Downstream:BaseUrl {baseUrl} does not look like a CancelDemo server: {url} answered 400 over HTTP/1.1 and HTTP/2.");
            return found.ToDictionary(l => l.Name, l => WithHost(new Uri(l.Url), baseUrl), StringComparer.OrdinalIgnoreCase);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
        {
            throw new NextHopUnavailableException($"Downstream:BaseUrl {baseUrl}: {url} did not answer within {DiscoveryTimeout.TotalSeconds:0} s.", e);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or NotSupportedException)
        {
            throw new NextHopUnavailableException($"Downstream:BaseUrl {baseUrl}: its listeners could not be read from {url} ({e.Message}). " +
                "It must be a listener of another CancelDemo server.", e);
        }
    }

    /// <summary>The hop's listeners, or null when the listener refused the protocol with 400 (an HTTP/2-only listener asked over HTTP/1.1).</summary>
    private async Task<List<Listener>?> AskAsync(HopProtocol protocol, Uri url, CancellationToken cancellationToken)
    {
        using var response = await clients.For(protocol).GetAsync(url, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<Listener>>(cancellationToken) ?? [];
    }

    private static Uri WithHost(Uri listener, Uri baseUrl)
    {
        var builder = new UriBuilder(listener);
        if (LoopbackHosts.Contains(builder.Host, StringComparer.OrdinalIgnoreCase) && !LoopbackHosts.Contains(baseUrl.Host, StringComparer.OrdinalIgnoreCase))
        {
            builder.Host = baseUrl.Host;
        }
        return builder.Uri;
    }

    private sealed record Listener(string Name, string Url);
}
