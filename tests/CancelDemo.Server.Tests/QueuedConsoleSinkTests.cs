using System.Text;
using CancelDemo.Server.Hosting;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace CancelDemo.Server.Tests;

/// <summary>The console sink behind ConsoleLog:Async: every line, in order, a batch per write, never dropped, never stuck.</summary>
public sealed class QueuedConsoleSinkTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void WritesEveryLineInOrderAndDisposeWritesWhatIsQueued()
    {
        var output = new GatedStream();
        using (var sink = NewSink(output, capacity: 10_000))
        {
            for (var i = 0; i < 1000; i++)
            {
                sink.Emit(Line($"line {i}"));
            }
        }

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"line {i}"), output.Lines());
    }

    [Fact]
    public void WritesTheServersTemplateWithValuesAsTheConsoleSinkDoesNotQuoted()
    {
        var output = new GatedStream();
        using (var sink = new QueuedConsoleSink(new MessageTemplateTextFormatter(Defaults.LogTemplate), output, capacity: 10))
        {
            sink.Emit(new LogEvent(new DateTimeOffset(2026, 11, 22, 10, 11, 12, 345, TimeSpan.Zero).ToLocalTime(), LogEventLevel.Information, null,
                new MessageTemplateParser().Parse("{Name} listening on {Url} ({Protocols})"),
                [new("Name", new ScalarValue("Http1")), new("Url", new ScalarValue(new Uri("http://127.0.0.1:8080/"))), new("Protocols", new ScalarValue("Http1"))]));
        }

        // What the tests and a person read on the console: the seed's style, a Uri as text (":j" would quote it as JSON).
        Assert.Equal([$"[{new DateTimeOffset(2026, 11, 22, 10, 11, 12, 345, TimeSpan.Zero).ToLocalTime():HH:mm:ss.fff} INF] Http1 listening on http://127.0.0.1:8080/ (Http1)"], output.Lines());
    }

    [Fact]
    public void ABurstQueuedWhileTheConsoleIsBusyIsWrittenInOneWriteNotOnePerLine()
    {
        var output = new GatedStream();
        output.Hold();
        using var sink = NewSink(output, capacity: 10_000);

        sink.Emit(Line("first"));
        Assert.True(output.Holding.Wait(Bound), "the first line reached the console");
        for (var i = 0; i < 500; i++)
        {
            sink.Emit(Line($"burst {i}")); // queued while the console is busy with the first
        }
        output.Release();
        sink.Dispose(); // writes what is queued, then returns

        Assert.Equal(501, output.Lines().Count);
        Assert.InRange(output.Writes, 2, 5); // the first line, then the burst in one or a few writes (64 KiB buffer)
    }

    [Fact]
    public async Task AFullQueueWaitsForRoomInsteadOfDroppingALine()
    {
        var output = new GatedStream();
        output.Hold();
        using var sink = NewSink(output, capacity: 2);
        sink.Emit(Line("first"));
        Assert.True(output.Holding.Wait(Bound), "the first line reached the console");

        var producer = Task.Run(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                sink.Emit(Line($"more {i}"));
            }
        });
        // Let time pass (nothing to wait for: the point is that nothing happens): the producer must still be waiting for room.
        Assert.NotSame(producer, await Task.WhenAny(producer, Task.Delay(300)));
        output.Release();

        await producer.WaitAsync(Bound); // resumed once the console had room
        sink.Dispose(); // writes what is queued, then returns
        Assert.Equal(11, output.Lines().Count);
    }

    [Fact]
    public async Task AConsoleThatCannotBeWrittenLosesItsLinesButNeverBlocksLogging()
    {
        using var sink = NewSink(new BrokenStream(), capacity: 4);

        var producer = Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                sink.Emit(Line($"lost {i}"));
            }
        });

        await producer.WaitAsync(Bound); // a TimeoutException here: logging got stuck on a broken console
    }

    private static QueuedConsoleSink NewSink(Stream output, int capacity) =>
        new(new MessageTemplateTextFormatter("{Message:l}{NewLine}"), output, capacity);

    private static LogEvent Line(string text) =>
        new(DateTimeOffset.UtcNow, LogEventLevel.Information, null, new MessageTemplateParser().Parse(text), []);

    /// <summary>An in-memory console that counts its writes and can hold the writer inside one.</summary>
    private sealed class GatedStream : WriteOnlyStream
    {
        private readonly MemoryStream _written = new();
        private readonly ManualResetEventSlim _open = new(true);
        private int _writes;

        public ManualResetEventSlim Holding { get; } = new();

        public int Writes => Volatile.Read(ref _writes);

        public void Hold() => _open.Reset();

        public void Release() => _open.Set();

        public List<string> Lines()
        {
            lock (_written)
            {
                return [.. Encoding.UTF8.GetString(_written.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref _writes);
            Holding.Set();
            _open.Wait();
            lock (_written)
            {
                _written.Write(buffer, offset, count);
            }
        }

        public override void Flush()
        {
        }
    }

    /// <summary>A console whose pipe has closed: every write fails.</summary>
    private sealed class BrokenStream : WriteOnlyStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");

        public override void Flush() => throw new IOException("Broken pipe");
    }

    /// <summary>A console is written, never read or sought.</summary>
    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
