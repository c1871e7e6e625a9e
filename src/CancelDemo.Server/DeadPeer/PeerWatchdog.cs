using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// Looks at every watched connection once a second and closes those whose peer has stopped answering
/// (see <see cref="PeerWatch.Look"/>). A peer that is alive answers the kernel's probes and ACKs, however
/// long its application has stopped reading, so it is never closed here.
/// </summary>
public sealed partial class PeerWatchdog : IDisposable
{
    private readonly PeerWatches _watches;
    private readonly DeadPeerOptions _options;
    private readonly ILogger<PeerWatchdog> _logger;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private int _looking;

    public PeerWatchdog(PeerWatches watches, IOptions<DeadPeerOptions> options, TimeProvider clock, ILogger<PeerWatchdog> logger)
    {
        _watches = watches;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Starts looking, once a second, when detection is on (Linux only: it reads TCP_INFO).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_timer is null && _options.Enabled && OperatingSystem.IsLinux())
            {
                _timer = _clock.CreateTimer(_ => LookAtAll(), null, DeadPeerOptions.LookInterval, DeadPeerOptions.LookInterval);
            }
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void LookAtAll()
    {
        if (Interlocked.Exchange(ref _looking, 1) == 1)
        {
            return; // the previous look is still going
        }
        try
        {
            foreach (var watch in _watches.All)
            {
                if (watch.Look(_options.SilenceTimeout) is { } condemned)
                {
                    LogClosed(_logger, watch.ConnectionId, condemned.SilenceMs, condemned.Unacked, condemned.Probes);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _looking, 0);
        }
    }

    // A vanished client is normal traffic: Information.
    [LoggerMessage(50, LogLevel.Information, "Connection {ConnectionId}: the peer stopped answering (silent {SilenceMs} ms, {Unacked} segments unacknowledged, {Probes} probes unanswered); closing it.")]
    private static partial void LogClosed(ILogger logger, string connectionId, uint silenceMs, uint unacked, byte probes);
}
