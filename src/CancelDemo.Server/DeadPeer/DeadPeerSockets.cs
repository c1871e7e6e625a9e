using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// TCP keepalive on every listen socket (Linux copies the options to each accepted socket), so a live
/// idle peer is asked to answer every few seconds. The kernel is told never to give up on its own
/// (the most probes it allows, no TCP_USER_TIMEOUT, which would also kill a live reader whose window
/// stays closed): the <see cref="PeerWatchdog"/> decides, from what the peer does or does not answer.
/// </summary>
public sealed class DeadPeerSockets(IOptions<DeadPeerOptions> options) : IConfigureOptions<SocketTransportOptions>
{
    // linux/tcp.h: .NET has no named option for this one.
    private const int IpProtoTcp = 6;
    private const int TcpRtoMaxMs = 44;
    private const int MaxKeepAliveProbes = 127;

    public void Configure(SocketTransportOptions transport)
    {
        var deadPeer = options.Value;
        if (!deadPeer.Enabled)
        {
            return;
        }
        transport.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            if (socket.ProtocolType == ProtocolType.Tcp)
            {
                Apply(socket, deadPeer);
            }
            return socket;
        };
    }

    private static void Apply(Socket socket, DeadPeerOptions deadPeer)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)deadPeer.TcpKeepAliveIdle.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)deadPeer.TcpKeepAliveInterval.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, MaxKeepAliveProbes);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption(IpProtoTcp, TcpRtoMaxMs, BitConverter.GetBytes((int)deadPeer.RetransmitCap.TotalMilliseconds));
            }
            catch (SocketException)
            {
                // Before Linux 6.15: probes back off up to 120 s, so a peer that was paused for minutes and then
                // vanished is found only at its next unanswered probe. Everything else works the same.
            }
        }
    }
}
