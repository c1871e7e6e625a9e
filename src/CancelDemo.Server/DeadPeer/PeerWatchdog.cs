using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// Looks at every watched connection once a second and closes those whose peer has stopped answering
/// (see <see cref="PeerWatch.Look"/>). A peer that is alive answers the kernel's probes and ACKs, however
/// long its application has stopped reading, so it is never closed here. Runs while the host runs, when
/// detection is on (Linux only: it reads TCP_INFO).
/// </summary>
public sealed partial class PeerWatchdog(PeerWatches watches, IOptions<DeadPeerOptions> options, TimeProvider clock, ILogger<PeerWatchdog> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !OperatingSystem.IsLinux())
        {
            return;
        }
        using var timer = new PeriodicTimer(DeadPeerOptions.LookInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                LookAtAll();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the host is stopping
        }
    }

    private void LookAtAll()
    {
        foreach (var watch in watches.All)
        {
            if (watch.Look(options.Value.SilenceTimeout) is { } condemned)
            {
                LogClosed(logger, watch.ConnectionId, condemned.SilenceMs, condemned.Unacked, condemned.Probes);
            }
        }
    }

    // A vanished client is normal traffic: Information.
    [LoggerMessage(50, LogLevel.Information, "Connection {ConnectionId}: the peer stopped answering (silent {SilenceMs} ms, {Unacked} segments unacknowledged, {Probes} probes unanswered); closing it.")]
    private static partial void LogClosed(ILogger logger, string connectionId, uint silenceMs, uint unacked, byte probes);
}
