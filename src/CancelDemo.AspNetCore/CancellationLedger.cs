using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace CancelDemo.AspNetCore;

/// <summary>
/// A bounded list of recent requests, looked up by id, with a feed of every change for watchers (GET
/// /requests/events, a test waiting on an outcome). A running request is never forgotten to make room.
/// </summary>
public sealed class CancellationLedger(IOptions<CancellationAuditOptions> options, TimeProvider clock)
{
    // A watcher that falls this far behind loses its oldest changes rather than growing memory.
    private const int WatcherBuffer = 1024;

    private readonly object _gate = new();
    private readonly LinkedList<AuditedRequest> _ring = new();
    private readonly Dictionary<string, AuditedRequest> _byId = new(StringComparer.Ordinal);
    // Replaced, never changed, under the lock: publishing (every change of every request) reads it without one.
    private Channel<RequestEntry>[] _watchers = [];

    /// <summary>What the ledger records, and how.</summary>
    public CancellationAuditOptions Options { get; } = options.Value;

    /// <summary>The clock every time in the ledger is read from.</summary>
    public TimeProvider Clock { get; } = clock;

    /// <summary>
    /// Adds <paramref name="request"/>, or refuses it (false) when a request with the same id is still running: an id
    /// names one request at a time, so a lookup always finds the one in flight.
    /// </summary>
    public bool TryAdd(AuditedRequest request)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(request.Id, out var current) && current.IsRunning)
            {
                return false;
            }
            if (_ring.Count >= Options.Capacity)
            {
                ForgetOldestEnded();
            }
            _ring.AddLast(request);
            _byId[request.Id] = request;
        }
        if (HasWatchers)
        {
            Publish(request.Snapshot);
        }
        return true;
    }

    /// <summary>A snapshot of request <paramref name="id"/>, if the ledger still has it.</summary>
    public RequestEntry? Find(string id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var request) ? request.Snapshot : null;
        }
    }

    /// <summary>The live record of request <paramref name="id"/>, if the ledger still has it.</summary>
    public AuditedRequest? FindRequest(string id)
    {
        lock (_gate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    public IReadOnlyList<RequestEntry> Recent(int limit)
    {
        lock (_gate)
        {
            var recent = new List<RequestEntry>(Math.Min(limit, _ring.Count));
            for (var node = _ring.Last; node is not null && recent.Count < limit; node = node.Previous)
            {
                recent.Add(node.Value.Snapshot);
            }
            return recent;
        }
    }

    /// <summary>
    /// Subscribes now: every change from this call on is kept for the subscription (the oldest are dropped if its
    /// reader falls far behind) until it is disposed.
    /// </summary>
    public LedgerSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<RequestEntry>(new BoundedChannelOptions(WatcherBuffer)
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

    /// <summary>Someone is subscribed: only then is a change worth a snapshot.</summary>
    public bool HasWatchers => Volatile.Read(ref _watchers).Length > 0;

    /// <summary>Tests only: runs as each change is published, before any watcher receives it.</summary>
    internal Action<RequestEntry>? BeforePublish { get; set; }

    internal void Publish(RequestEntry entry)
    {
        BeforePublish?.Invoke(entry);
        foreach (var watcher in Volatile.Read(ref _watchers))
        {
            watcher.Writer.TryWrite(entry);
        }
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
}
