using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace CancelDemo.Server.DeadPeer;

/// <summary>
/// The transport's input, except that a connection the kernel gave up on (ETIMEDOUT: its retransmission
/// limit, or keepalive where the watchdog is not running) is reported as a reset. Kestrel treats a reset as
/// a client leaving (logged quietly) but logs an unknown socket error as a Warning, and a vanished client
/// is normal traffic.
/// </summary>
public sealed class DeadPeerReader(PipeReader inner) : PipeReader
{
    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(cancellationToken);
        }
        catch (Exception e) when (IsDeadPeer(e))
        {
            throw AsReset(e);
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        try
        {
            return inner.TryRead(out result);
        }
        catch (Exception e) when (IsDeadPeer(e))
        {
            throw AsReset(e);
        }
    }

    private static bool IsDeadPeer(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode == SocketError.TimedOut;

    private static ConnectionResetException AsReset(Exception e) =>
        new("The peer stopped answering (TCP keepalive or TCP_USER_TIMEOUT expired).", e);
}
