using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace CancelDemo.AspNetCore.Transport;

/// <summary>
/// The transport's input, pumped into a pipe that Kestrel reads instead. The pump always has a read pending on the
/// transport, so it sees the moment the peer ends its side, whether or not Kestrel is reading (over HTTP/1.1 Kestrel
/// reads nothing while a request without a body runs): the read completes (FIN) or fails with
/// <see cref="ConnectionResetException"/> (RST). It tells the connection's <see cref="ConnectionSignal"/> before it passes
/// the end on, so an HTTP/2 connection's requests, aborted when Kestrel reads that end, always find it recorded (an
/// HTTP/1.1 request can learn of its abort first, from the transport's closed event: it waits for the pump's word). A
/// connection the kernel gave up on (ETIMEDOUT: its retransmissions or keepalive probes went unanswered) is passed on
/// as a reset: Kestrel treats a reset as a client leaving, but logs an unknown socket error as a warning, and a
/// vanished client is normal traffic.
/// </summary>
public sealed class InputPump
{
    private readonly PipeReader _source;
    private readonly Pipe _pipe;
    private readonly ConnectionSignal _signal;

    private InputPump(PipeReader source, Pipe pipe, ConnectionSignal signal)
    {
        _source = source;
        _pipe = pipe;
        _signal = signal;
        Pumping = PumpAsync();
    }

    /// <summary>What Kestrel reads in place of the transport's input.</summary>
    public PipeReader Input => _pipe.Reader;

    /// <summary>Ends when the transport's input has ended, or once <see cref="StopAsync"/> has stopped it.</summary>
    public Task Pumping { get; }

    /// <param name="source">The transport's input.</param>
    /// <param name="pool">The transport's memory pool, so buffers come from where Kestrel's own come from.</param>
    /// <param name="pauseAt">Bytes buffered before the pump waits for Kestrel to read (Kestrel's MaxRequestBufferSize; 0: no limit).</param>
    /// <param name="signal">Told how the input ended.</param>
    public static InputPump Start(PipeReader source, MemoryPool<byte>? pool, long pauseAt, ConnectionSignal signal) =>
        // Inline on both sides: Kestrel's read resumes on the pump's own thread (the transport's I/O queue, where it
        // would have resumed anyway), so the pump adds a copy but no thread hop.
        new(source, new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, pauseAt, pauseAt / 2, useSynchronizationContext: false)), signal);

    /// <summary>Kestrel is done with the connection: stops the pump's pending read and waits for it to end.</summary>
    public async Task StopAsync()
    {
        _source.CancelPendingRead();
        await Pumping;
    }

    private async Task PumpAsync()
    {
        var target = _pipe.Writer;
        Exception? error = null;
        string? peer = null;
        try
        {
            while (true)
            {
                var result = await _source.ReadAsync();
                if (result.IsCanceled)
                {
                    break; // StopAsync: Kestrel has finished with the connection
                }
                foreach (var segment in result.Buffer)
                {
                    target.Write(segment.Span);
                }
                _source.AdvanceTo(result.Buffer.End);
                var flushed = await target.FlushAsync();
                if (result.IsCompleted)
                {
                    peer = ConnectionSignal.Fin;
                    break;
                }
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break; // Kestrel stopped reading
                }
            }
        }
        catch (ConnectionResetException e)
        {
            peer = ConnectionSignal.Rst;
            error = e;
        }
        catch (Exception e) when ((e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode == SocketError.TimedOut)
        {
            peer = ConnectionSignal.Silence;
            error = new ConnectionResetException("The peer stopped answering (TCP keepalive or retransmission timeout).", e);
        }
        catch (Exception e)
        {
            error = e; // the server aborted the connection: Kestrel knows why
        }
        // Told before the end is passed on to Kestrel.
        _signal.InputEnded(peer);
        await target.CompleteAsync(error);
    }
}
