using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace CancelDemo.Server.Hosting;

/// <summary>
/// The console sink behind <c>ConsoleLog:Async</c>: a request only queues its event, and one loop formats and
/// writes what has queued up, a batch at a time, with one write and flush per batch. A burst of lines (a storm
/// of aborts logs two per request) costs one wake-up and one system call, not one of each per line, and the
/// lines keep their order. Nothing is dropped: when the queue is full, logging waits for room. A console that
/// cannot be written (a closed pipe) loses its lines but never blocks a request.
/// </summary>
public sealed class QueuedConsoleSink : ILogEventSink, IDisposable
{
    private static readonly TimeSpan DrainOnDispose = TimeSpan.FromSeconds(5);

    private readonly Channel<LogEvent> _queue;
    private readonly ITextFormatter _formatter;
    private readonly TextWriter _output;
    private readonly Task _writing;

    public QueuedConsoleSink(ITextFormatter formatter, Stream output, int capacity)
    {
        _formatter = formatter;
        _output = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024) { AutoFlush = false };
        _queue = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writing = Task.Run(WriteAllAsync);
    }

    public void Emit(LogEvent logEvent)
    {
        if (_queue.Writer.TryWrite(logEvent))
        {
            return;
        }
        try
        {
            // Full: wait for room rather than drop a line (Serilog calls sinks synchronously).
            _queue.Writer.WriteAsync(logEvent).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Logged after the logger was disposed: there is no one left to write it.
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writing.Wait(DrainOnDispose);
    }

    private async Task WriteAllAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out var logEvent))
                {
                    _formatter.Format(logEvent, _output);
                }
                _output.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The console is gone: drain and drop, so that logging never waits on it.
                while (reader.TryRead(out _))
                {
                }
            }
        }
    }
}
