using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// Configuration section "DeadPeer": detecting a client that vanished without FIN or RST (Wi-Fi off,
/// airplane mode) without ever cutting off one that is alive but slow or paused. On by default:
/// HTTP/2 pings after 10 s of silence, dead after 10 s more; TCP keepalive probes on idle connections
/// after 10 s, every 5 s; and a connection whose peer has answered nothing (no ACK of our data, no
/// answer to a keepalive or window probe) for SilenceTimeout (25 s) is closed.
/// Enabled=false reproduces the seed: the server works on for a client that is gone.
/// </summary>
public sealed class DeadPeerOptions
{
    public const string Section = "DeadPeer";

    public bool Enabled { get; set; } = true;

    /// <summary>HTTP/2: send a PING after this much silence from the client (Kestrel's KeepAlivePingDelay).</summary>
    public TimeSpan Http2PingDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP/2: close the connection if the PING is not answered within this (KeepAlivePingTimeout).</summary>
    public TimeSpan Http2PingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>TCP: idle time before the first keepalive probe (TCP_KEEPIDLE).</summary>
    public TimeSpan TcpKeepAliveIdle { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>TCP: time between keepalive probes (TCP_KEEPINTVL).</summary>
    public TimeSpan TcpKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection is closed as dead when something is waiting for the peer's answer (data it has not
    /// acknowledged, or a keepalive or zero-window probe) and nothing at all has been heard from it for this long.
    /// </summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How often the watchdog looks at every connection; a dead peer needs two looks in a row.</summary>
    public static TimeSpan LookInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a vanished HTTP/2 client can go unnoticed (Kestrel checks pings on a 1 s heartbeat).</summary>
    public TimeSpan Http2Bound => Http2PingDelay + Http2PingTimeout + TimeSpan.FromSeconds(1);

    /// <summary>The longest a vanished client can go unnoticed over TCP, whatever its connection was doing.</summary>
    public TimeSpan TcpBound => SilenceTimeout + (2 * LookInterval);

    /// <summary>
    /// The longest gap between the kernel's retransmissions and window probes (TCP_RTO_MAX_MS, Linux 6.15+).
    /// Linux doubles the gap up to 120 s; a live paused reader answers each probe, and a fifth of the silence
    /// bound keeps its silence far below it, so the watchdog never takes it for dead.
    /// </summary>
    public TimeSpan RetransmitCap => TimeSpan.FromMilliseconds(Math.Clamp(SilenceTimeout.TotalMilliseconds / 5, 1000, 5000));
}

/// <summary>Reports every bad DeadPeer value at once, at start-up, and the settings that no longer exist.</summary>
public sealed class ValidateDeadPeerOptions(IConfiguration configuration) : IValidateOptions<DeadPeerOptions>
{
    private static readonly Dictionary<string, string> Removed = new(StringComparer.OrdinalIgnoreCase)
    {
        ["TcpUserTimeout"] = "TCP_USER_TIMEOUT also cut off live clients that only stopped reading; use DeadPeer:SilenceTimeout",
        ["TcpKeepAliveCount"] = "the kernel no longer gives up on its own; DeadPeer:SilenceTimeout decides",
    };

    /// <summary>Keys that were settings once: reported with what replaced them, not as unknown.</summary>
    public static IReadOnlyCollection<string> RemovedKeys => Removed.Keys;

    public ValidateOptionsResult Validate(string? name, DeadPeerOptions options)
    {
        var errors = new List<string>();
        void WholeSeconds(string key, TimeSpan value, int min, int max)
        {
            if (value < TimeSpan.FromSeconds(min) || value > TimeSpan.FromSeconds(max) || value.Milliseconds != 0)
            {
                errors.Add($"DeadPeer:{key} must be whole seconds from {TimeSpan.FromSeconds(min)} to {TimeSpan.FromSeconds(max)} (it is {value}).");
            }
        }
        WholeSeconds(nameof(options.Http2PingDelay), options.Http2PingDelay, 1, 3600);
        WholeSeconds(nameof(options.Http2PingTimeout), options.Http2PingTimeout, 1, 3600);
        WholeSeconds(nameof(options.TcpKeepAliveIdle), options.TcpKeepAliveIdle, 1, 32767);
        WholeSeconds(nameof(options.TcpKeepAliveInterval), options.TcpKeepAliveInterval, 1, 32767);
        WholeSeconds(nameof(options.SilenceTimeout), options.SilenceTimeout, 2, 3600);
        if (options.SilenceTimeout <= options.TcpKeepAliveIdle)
        {
            errors.Add($"DeadPeer:SilenceTimeout ({options.SilenceTimeout}) must be longer than DeadPeer:TcpKeepAliveIdle ({options.TcpKeepAliveIdle}), " +
                       "or an idle dead peer is never probed before the bound.");
        }
        foreach (var (key, why) in Removed)
        {
            if (configuration[$"{DeadPeerOptions.Section}:{key}"] is not null)
            {
                errors.Add($"DeadPeer:{key} is no longer a setting: {why}.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
