using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// Keeps its own duplicate of each connection's socket descriptor (Linux), so that when a request is
/// aborted the server can still ask TCP_INFO how long the peer had been silent, even if the transport
/// has already disposed its handle (it does at once when keepalive or TCP_USER_TIMEOUT kill a
/// connection). A FIN, RST or HTTP/2 RST_STREAM is heard the moment it comes; a vanished peer has
/// been silent for as long as the detection took.
/// </summary>
public sealed partial class PeerWatch : IDisposable
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int LastAckReceivedOffset = 56; // struct tcp_info: __u32 tcpi_last_ack_recv (ms)
    private readonly Socket _duplicate;
    private readonly Lock _gate = new();
    private bool _disposed;
    private double? _lastReading;

    private PeerWatch(Socket duplicate) => _duplicate = duplicate;

    /// <summary>
    /// Connection middleware for a listener: attaches a watch to every connection it accepts, and reports
    /// a connection killed by keepalive or user timeout to Kestrel as a reset (see <see cref="DeadPeerReader"/>).
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware { get; } = next => async connection =>
    {
        using var watch = TryAttach(connection);
        var transport = connection.Transport;
        connection.Transport = new DuplexPipe(new DeadPeerReader(transport.Input), transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    private sealed class DuplexPipe(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.PipeWriter output) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input { get; } = input;

        public System.IO.Pipelines.PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// Milliseconds since the peer last sent anything (tcpi_last_ack_recv), or null if unknown. After the
    /// connection has ended, the reading taken as it ended: an aborted request's callback may run later.
    /// </summary>
    public double? PeerSilentMs()
    {
        lock (_gate)
        {
            return _disposed ? _lastReading : Read();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _lastReading = Read();
            _disposed = true;
            _duplicate.Dispose();
        }
    }

    private double? Read()
    {
        try
        {
            Span<byte> info = stackalloc byte[104];
            var length = _duplicate.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
            return length >= LastAckReceivedOffset + 4 ? BinaryPrimitives.ReadUInt32LittleEndian(info[LastAckReceivedOffset..]) : null;
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return null;
        }
    }

    private static PeerWatch? TryAttach(ConnectionContext connection)
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
        var watch = new PeerWatch(new Socket(new SafeSocketHandle(fd, ownsHandle: true)));
        connection.Features.Set(watch);
        return watch;
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);
}
