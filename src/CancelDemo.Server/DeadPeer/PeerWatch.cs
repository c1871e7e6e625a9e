using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using CancelDemo.AspNetCore.Transport;
using Microsoft.AspNetCore.Connections.Features;

namespace CancelDemo.Server.DeadPeer;

/// <summary>How a request's client went away, as far as the server can tell.</summary>
/// <param name="Source">"client": it said goodbye (FIN, RST, RST_STREAM, GOAWAY) or was still answering;
/// "deadPeer": the server gave up on a peer that had stopped answering.</param>
/// <param name="PeerSilentMs">How long nothing had been heard from the peer (Linux TCP_INFO), if known.</param>
/// <param name="Signal">What the socket showed: "FIN" (the peer closed), "RST" (it reset), "silence" (it stopped
/// answering), or "open" (the connection lives on: for HTTP/2, a stream reset).</param>
public sealed record PeerVerdict(string Source, double? PeerSilentMs, string Signal)
{
    public const string Client = "client";
    public const string DeadPeer = "deadPeer";
}

/// <summary>
/// Keeps its own duplicate of one connection's socket descriptor (Linux), so the server can read TCP_INFO
/// for as long as the connection lives, even after the transport has disposed its own handle: the
/// <see cref="PeerWatchdog"/> looks at it every second, and an aborted request asks it how the client went.
/// </summary>
public sealed partial class PeerWatch : IDisposable
{
    private readonly Socket _duplicate;
    private readonly ConnectionContext _connection;
    private readonly Lock _gate = new();
    private bool _disposed;
    private bool _closedAsDead;
    private int _suspectLooks;
    private TcpInfo? _lastReading;

    private PeerWatch(Socket duplicate, ConnectionContext connection)
    {
        _duplicate = duplicate;
        _connection = connection;
    }

    public string ConnectionId => _connection.ConnectionId;

    /// <summary>Attaches a watch to <paramref name="connection"/> (as a connection feature), or null where TCP_INFO is not available.</summary>
    public static PeerWatch? TryAttach(ConnectionContext connection)
    {
        if (!OperatingSystem.IsLinux() || connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return null;
        }
        var fd = Dup((int)socket.SafeHandle.DangerousGetHandle());
        if (fd < 0)
        {
            return null;
        }
        var watch = new PeerWatch(new Socket(new SafeSocketHandle(fd, ownsHandle: true)), connection);
        connection.Features.Set(watch);
        return watch;
    }

    /// <summary>A verdict's signal while the peer's FIN or RST has reached the kernel but not yet the transport's reader.</summary>
    public const string Pending = AbortSignals.Pending;

    /// <summary>
    /// How the client went away, read when a request learns it is gone. The watchdog's own verdict wins; then what
    /// the transport saw (FIN, RST, or the kernel giving up: the audit package's <see cref="ConnectionSignal"/>). On a
    /// connection the peer has not closed (an HTTP/2 stream reset, an HTTP/2 ping timeout, a data-rate limit) the
    /// silence decides: a RST_STREAM was heard just now. When the kernel already holds the peer's FIN or RST but the
    /// transport's reader has not run yet, the signal is <see cref="Pending"/>: the ledger learns it at the request's end.
    /// </summary>
    public PeerVerdict? Verdict()
    {
        var closedWith = _connection.Features.Get<ConnectionSignal>()?.ClosedWith;
        lock (_gate)
        {
            var reading = _disposed ? _lastReading : TcpInfo.Read(_duplicate) ?? _lastReading;
            if (reading is not { } info)
            {
                return closedWith is null ? null : new PeerVerdict(closedWith == ConnectionSignal.Silence ? PeerVerdict.DeadPeer : PeerVerdict.Client, null, closedWith);
            }
            var dead = _closedAsDead || closedWith == ConnectionSignal.Silence || (closedWith is null && !info.ClosedByPeer && info.SilenceMs >= 1000);
            var signal = dead ? ConnectionSignal.Silence : closedWith ?? (info.ClosedByPeer ? Pending : "open");
            return new PeerVerdict(dead ? PeerVerdict.DeadPeer : PeerVerdict.Client, info.SilenceMs, signal);
        }
    }

    /// <summary>
    /// One look by the watchdog. The peer is suspect when something waits for its answer (unacknowledged
    /// data, an unanswered probe) and it has been silent for <paramref name="silenceTimeout"/>; suspect on two
    /// looks in a row, it is dead and its connection is closed. Returns the reading that condemned it, or null.
    /// </summary>
    internal TcpInfo? Look(TimeSpan silenceTimeout)
    {
        TcpInfo condemned;
        lock (_gate)
        {
            if (_disposed || _closedAsDead || TcpInfo.Read(_duplicate) is not { } info)
            {
                return null;
            }
            _lastReading = info;
            var suspect = info.State is TcpInfo.Established or TcpInfo.CloseWait
                && info.SilenceMs >= silenceTimeout.TotalMilliseconds
                && (info.Unacked > 0 || info.Probes > 0);
            _suspectLooks = suspect ? _suspectLooks + 1 : 0;
            if (_suspectLooks < 2)
            {
                return null;
            }
            _closedAsDead = true;
            condemned = info;
        }
        _connection.Abort(new ConnectionAbortedException($"The peer stopped answering: nothing heard for {condemned.SilenceMs} ms."));
        return condemned;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            // Keep the last reading: an aborted request's callback may ask after the connection has ended.
            _lastReading = TcpInfo.Read(_duplicate) ?? _lastReading;
            _disposed = true;
            _duplicate.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);
}
