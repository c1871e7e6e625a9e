using System.Net.Http.Json;
using CancelDemo.Server.Kestrel;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Downstream;

/// <summary>
/// Where the next hop listens, per protocol: this server's own listeners when Downstream:BaseUrl is unset,
/// else what the next server's /listeners says (asked once it answers: a failed ask is asked again on the next
/// call, so a hop that starts after this server is found), with a loopback host replaced by BaseUrl's host.
/// </summary>
public sealed class NextHop(IOptions<DownstreamOptions> options, Listeners listeners, DownstreamClients clients)
{
    private Task<Dictionary<string, Uri>>? _discovery;

    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "[::]"];

    public async ValueTask<Uri> UrlAsync(HopProtocol protocol, CancellationToken cancellationToken)
    {
        var name = protocol.ToString();
        if (options.Value.BaseUrl is not { Length: > 0 } baseUrl)
        {
            return listeners.Url(name) ?? throw new InvalidOperationException($"This server has no {name} listener to call.");
        }
        var next = await Discovery(new Uri(baseUrl)).WaitAsync(cancellationToken);
        return next.TryGetValue(name, out var uri) ? uri : throw new InvalidOperationException($"The next hop {baseUrl} has no {name} listener.");
    }

    /// <summary>The one discovery in flight or done; a failed one is replaced (concurrent callers share one).</summary>
    private Task<Dictionary<string, Uri>> Discovery(Uri baseUrl)
    {
        var current = Volatile.Read(ref _discovery);
        if (current is { IsFaulted: false, IsCanceled: false })
        {
            return current;
        }
        var fresh = DiscoverAsync(baseUrl);
        return Interlocked.CompareExchange(ref _discovery, fresh, current) == current ? fresh : Volatile.Read(ref _discovery)!;
    }

    private async Task<Dictionary<string, Uri>> DiscoverAsync(Uri baseUrl)
    {
        var client = clients.For(baseUrl.Scheme == "https" ? HopProtocol.Https : HopProtocol.Http1);
        var found = await client.GetFromJsonAsync<List<Listener>>(new Uri(baseUrl, "listeners"))
            ?? throw new InvalidOperationException($"{baseUrl}listeners answered nothing.");
        return found.ToDictionary(l => l.Name, l =>
        {
            var builder = new UriBuilder(l.Url);
            if (LoopbackHosts.Contains(builder.Host, StringComparer.OrdinalIgnoreCase) && !LoopbackHosts.Contains(baseUrl.Host, StringComparer.OrdinalIgnoreCase))
            {
                builder.Host = baseUrl.Host;
            }
            return builder.Uri;
        }, StringComparer.OrdinalIgnoreCase);
    }

    private sealed record Listener(string Name, string Url);
}
