using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// A bounded list of recent requests, looked up by id, with a feed of every change for watchers
/// (the Server-Sent Events endpoint, the sample page, tests waiting on an outcome).
/// </summary>
public sealed class RequestLedger(IOptions<LedgerOptions> options)
{
    // A watcher that falls this far behind loses its oldest changes rather than growing memory.
    private const int WatcherBuffer = 1024;

    private readonly Lock _gate = new();
    private readonly LinkedList<TrackedRequest> _ring = new();
    private readonly Dictionary<string, TrackedRequest> _byId = new(StringComparer.Ordinal);
    // Replaced, never changed, under the lock: publishing (every change of every request) reads it without one.
    private Channel<LedgerEntry>[] _watchers = [];
    private readonly int _capacity = options.Value.Capacity;

    /// <summary>
    /// Records a new request, or returns null when a request with the same id is still running: an id names
    /// one request at a time, so a lookup never loses the one in flight. Once it has ended the id may be reused,
    /// and a lookup finds the newest. Beyond the capacity the oldest ended entry is forgotten; a running one
    /// never is, so the ledger may hold more than its capacity while more requests than that are in flight.
    /// </summary>
    public TrackedRequest? TryStart(LedgerEntry entry)
    {
        var tracked = new TrackedRequest(entry, this);
        lock (_gate)
        {
            if (_byId.TryGetValue(entry.Id, out var current) && current.IsRunning)
            {
                return null;
            }
            if (_ring.Count >= _capacity)
            {
                ForgetOldestEnded();
            }
            _ring.AddLast(tracked);
            _byId[entry.Id] = tracked;
        }
        Publish(entry);
        return tracked;
    }

    public LedgerEntry? Find(string id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var tracked) ? tracked.Snapshot : null;
        }
    }

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    public IReadOnlyList<LedgerEntry> Recent(int limit)
    {
        lock (_gate)
        {
            var recent = new List<LedgerEntry>(Math.Min(limit, _ring.Count));
            for (var node = _ring.Last; node is not null && recent.Count < limit; node = node.Previous)
            {
                recent.Add(node.Value.Snapshot);
            }
            return recent;
        }
    }

    /// <summary>
    /// Subscribes now: every change from this call on is kept for the subscription (the oldest are
    /// dropped if its reader falls far behind) until it is disposed.
    /// </summary>
    public LedgerSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<LedgerEntry>(new BoundedChannelOptions(WatcherBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _watchers = [.. _watchers, channel];
        }
        return new LedgerSubscription(channel.Reader, () =>
        {
            lock (_gate)
            {
                _watchers = [.. _watchers.Where(w => w != channel)];
            }
        });
    }

    private void ForgetOldestEnded()
    {
        for (var node = _ring.First; node is not null; node = node.Next)
        {
            if (node.Value.IsRunning)
            {
                continue;
            }
            _ring.Remove(node);
            // A reused X-Request-Id may already point at a newer request: keep that one.
            if (_byId.TryGetValue(node.Value.Id, out var current) && ReferenceEquals(current, node.Value))
            {
                _byId.Remove(node.Value.Id);
            }
            return;
        }
    }

    /// <summary>Someone is subscribed: only then is a change worth a snapshot.</summary>
    internal bool HasWatchers => Volatile.Read(ref _watchers).Length > 0;

    /// <summary>Tests only: runs as each change is published, before any watcher receives it.</summary>
    internal Action<LedgerEntry>? BeforePublish { get; set; }

    internal void Publish(LedgerEntry entry)
    {
        BeforePublish?.Invoke(entry);
        foreach (var watcher in Volatile.Read(ref _watchers))
        {
            watcher.Writer.TryWrite(entry);
        }
    }
}
