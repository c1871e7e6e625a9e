using System.Collections.Concurrent;

namespace CancelDemo.Server.DeadPeer;

/// <summary>The watch of every connection while it lives, by Kestrel's connection id.</summary>
public sealed class PeerWatches
{
    private readonly ConcurrentDictionary<string, PeerWatch> _byConnection = new(StringComparer.Ordinal);

    public void Add(PeerWatch watch) => _byConnection[watch.ConnectionId] = watch;

    public void Remove(PeerWatch watch) => _byConnection.TryRemove(new KeyValuePair<string, PeerWatch>(watch.ConnectionId, watch));

    public PeerWatch? Find(string connectionId) => _byConnection.GetValueOrDefault(connectionId);

    public ICollection<PeerWatch> All => _byConnection.Values;
}
