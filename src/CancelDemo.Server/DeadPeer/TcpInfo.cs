using System.Buffers.Binary;
using System.Net.Sockets;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// What Linux says about one TCP connection (getsockopt TCP_INFO, struct tcp_info): its state, what is
/// waiting for the peer's answer, and how long the peer has been silent.
/// </summary>
/// <param name="State">tcpi_state: 1 ESTABLISHED, 4 FIN_WAIT1, 5 FIN_WAIT2, 7 CLOSE (reset), 8 CLOSE_WAIT (FIN received), ...</param>
/// <param name="Probes">tcpi_probes: keepalive or zero-window probes sent and not answered (any ACK resets it).</param>
/// <param name="Unacked">tcpi_unacked: segments sent and not acknowledged.</param>
/// <param name="SilenceMs">min(tcpi_last_ack_recv, tcpi_last_data_recv): milliseconds since anything came from the peer.</param>
public readonly record struct TcpInfo(byte State, byte Probes, uint Unacked, uint SilenceMs)
{
    public const byte Established = 1;
    public const byte TimeWait = 6;
    public const byte Close = 7;
    public const byte CloseWait = 8;
    public const byte LastAck = 9;
    public const byte Closing = 11;

    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;

    /// <summary>The peer closed the connection: its FIN arrived (CLOSE_WAIT and after), or its RST (CLOSE).</summary>
    public bool ClosedByPeer => State is CloseWait or LastAck or Closing or TimeWait or Close;

    /// <summary>Reads TCP_INFO, or null where it is not available (not Linux, socket gone).</summary>
    public static TcpInfo? Read(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            Span<byte> info = stackalloc byte[104];
            var length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
            if (length < 60)
            {
                return null;
            }
            var lastDataReceived = BinaryPrimitives.ReadUInt32LittleEndian(info[52..]);
            var lastAckReceived = BinaryPrimitives.ReadUInt32LittleEndian(info[56..]);
            return new TcpInfo(info[0], info[3], BinaryPrimitives.ReadUInt32LittleEndian(info[24..]), Math.Min(lastDataReceived, lastAckReceived));
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return null;
        }
    }
}
