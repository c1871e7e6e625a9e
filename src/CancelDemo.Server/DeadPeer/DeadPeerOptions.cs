using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// Configuration section "DeadPeer": detecting a client that vanished without FIN or RST (Wi-Fi off,
/// airplane mode). On by default so that every protocol notices within 30 s:
/// HTTP/2 pings after 10 s of silence, dead after 10 s more (20 s); TCP keepalive probes after 10 s idle,
/// every 5 s, dead after 3 unanswered (25 s); TCP_USER_TIMEOUT 25 s for data the peer never acknowledges.
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

    /// <summary>TCP: unanswered probes before the connection is dropped (TCP_KEEPCNT).</summary>
    public int TcpKeepAliveCount { get; set; } = 3;

    /// <summary>TCP: how long sent data may stay unacknowledged before the connection is dropped (TCP_USER_TIMEOUT).</summary>
    public TimeSpan TcpUserTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>The longest a vanished HTTP/2 client can go unnoticed.</summary>
    public TimeSpan Http2Bound => Http2PingDelay + Http2PingTimeout;

    /// <summary>The longest a vanished client of a waiting request can go unnoticed over TCP.</summary>
    public TimeSpan TcpBound => TcpKeepAliveIdle + (TcpKeepAliveInterval * TcpKeepAliveCount);
}

/// <summary>Reports every bad DeadPeer value at once, at start-up.</summary>
public sealed class ValidateDeadPeerOptions : IValidateOptions<DeadPeerOptions>
{
    public ValidateOptionsResult Validate(string? name, DeadPeerOptions options)
    {
        var errors = new List<string>();
        void WholeSeconds(string key, TimeSpan value, int max)
        {
            if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromSeconds(max) || value.Milliseconds != 0)
            {
                errors.Add($"DeadPeer:{key} must be whole seconds from 00:00:01 to {TimeSpan.FromSeconds(max)} (it is {value}).");
            }
        }
        WholeSeconds(nameof(options.Http2PingDelay), options.Http2PingDelay, 3600);
        WholeSeconds(nameof(options.Http2PingTimeout), options.Http2PingTimeout, 3600);
        WholeSeconds(nameof(options.TcpKeepAliveIdle), options.TcpKeepAliveIdle, 32767);
        WholeSeconds(nameof(options.TcpKeepAliveInterval), options.TcpKeepAliveInterval, 32767);
        if (options.TcpKeepAliveCount is < 1 or > 127)
        {
            errors.Add($"DeadPeer:TcpKeepAliveCount must be from 1 to 127 (it is {options.TcpKeepAliveCount}).");
        }
        if (options.TcpUserTimeout < TimeSpan.FromMilliseconds(1) || options.TcpUserTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"DeadPeer:TcpUserTimeout must be from 00:00:00.001 to 01:00:00 (it is {options.TcpUserTimeout}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
