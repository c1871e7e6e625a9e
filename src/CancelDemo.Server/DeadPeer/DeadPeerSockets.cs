using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// TCP keepalive and TCP_USER_TIMEOUT on every listen socket. Linux copies these options to each
/// accepted socket, so every connection carries them without touching Kestrel's accept loop.
/// </summary>
public sealed class DeadPeerSockets(IOptions<DeadPeerOptions> options) : IConfigureOptions<SocketTransportOptions>
{
    // IPPROTO_TCP / TCP_USER_TIMEOUT (linux/tcp.h): .NET has no named option for it.
    private const int IpProtoTcp = 6;
    private const int TcpUserTimeout = 18;

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
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, deadPeer.TcpKeepAliveCount);
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpUserTimeout, BitConverter.GetBytes((uint)deadPeer.TcpUserTimeout.TotalMilliseconds));
        }
    }
}
