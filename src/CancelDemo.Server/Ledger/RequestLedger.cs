using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Ledger;

/// <summary>
/// A bounded ring of recent requests, looked up by id, with a feed of every change for watchers
/// (the Server-Sent Events endpoint, the sample page, tests waiting on an outcome).
/// </summary>
public sealed class RequestLedger(IOptions<LedgerOptions> options)
{
    // A watcher that falls this far behind loses its oldest changes rather than growing memory.
    private const int WatcherBuffer = 1024;

    private readonly Lock _gate = new();
    private readonly Queue<TrackedRequest> _ring = new();
    private readonly Dictionary<string, TrackedRequest> _byId = new(StringComparer.Ordinal);
    private readonly List<Channel<LedgerEntry>> _watchers = [];
    private readonly int _capacity = options.Value.Capacity;

    public TrackedRequest Start(LedgerEntry entry)
    {
        var tracked = new TrackedRequest(entry, Publish);
        lock (_gate)
        {
            if (_ring.Count == _capacity)
            {
                var oldest = _ring.Dequeue();
                // A reused X-Request-Id may already point at a newer request: keep that one.
                if (_byId.TryGetValue(oldest.Id, out var current) && ReferenceEquals(current, oldest))
                {
                    _byId.Remove(oldest.Id);
                }
            }
            _ring.Enqueue(tracked);
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
            return _ring.Reverse().Take(limit).Select(t => t.Snapshot).ToList();
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
            _watchers.Add(channel);
        }
        return new LedgerSubscription(channel.Reader, () =>
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        });
    }

    private void Publish(LedgerEntry entry)
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(entry);
            }
        }
    }
}
