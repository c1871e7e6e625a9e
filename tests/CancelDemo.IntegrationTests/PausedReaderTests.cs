using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// A client that is alive but stops reading for a while (a paused download, a throttled tab) is not a dead
/// peer: its kernel answers every zero-window probe (HTTP/1.1), its HTTP/2 connection answers every PING.
/// It keeps its request, even paused for three times the dead-peer bound, on every protocol; and a client
/// that then closes is recorded as the client's goodbye, not as a dead peer.
/// </summary>
public sealed class PausedReaderTests(ShortDeadPeerServer server) : IClassFixture<ShortDeadPeerServer>
{
    private static readonly TimeSpan Pause = 3 * ShortDeadPeerServer.SilenceTimeout;

    public static TheoryData<string> Bodies => new()
    {
        "/download?delayMs=0&sizeMb=64",
        "/stream?chunkBytes=65536&intervalMs=5&durationMs=5000",
    };

    [RequiresTheory("root")]
    [MemberData(nameof(Bodies))]
    public async Task PausedHttp1ReaderKeepsItsRequestAndGetsTheWholeBody(string pathAndQuery)
    {
        var id = NewId("paused");
        using var client = await RawHttp1.ConnectAsync(server, receiveBuffer: 16 * 1024);
        await client.GetAsync(pathAndQuery, id, close: true);
        var first = await client.ReadSomeAsync(); // the body is flowing

        await Task.Delay(Pause); // let time pass, reading nothing: the window is closed the whole time
        Assert.Equal(RequestOutcome.Running, server.Ledger.Find(id)!.Outcome);
        var received = await client.ReadToEndAsync();

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.Completed, entry.Outcome);
        Assert.Null(entry.AbortObservedAt);
        Assert.True(first + received >= entry.BytesWritten, $"received {first + received} of {entry.BytesWritten} bytes");
    }

    [Theory]
    [InlineData(Transport.Https)]
    [InlineData(Transport.H2c)]
    public async Task PausedHttp2ReaderKeepsItsStreamLikeHttp1(Transport transport)
    {
        var id = NewId("paused-h2");
        using var client = server.CreateClient(transport);
        using var response = await client.SendAsync(Get("/stream?chunkBytes=65536&intervalMs=5&durationMs=5000", id), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = await body.ReadAsync(new byte[4096]); // the body is flowing

        await Task.Delay(Pause); // let time pass, reading nothing: flow control holds the stream, PINGs are answered
        Assert.Equal(RequestOutcome.Running, server.Ledger.Find(id)!.Outcome);
        var rest = await ReadToEndAsync(body);

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.Completed, entry.Outcome);
        Assert.Equal(entry.BytesWritten, first + rest);
    }

    [RequiresFact("root")]
    public async Task ReaderThatStallsAndThenClosesIsRecordedAsTheClientNotADeadPeer()
    {
        var id = NewId("stall-close");
        using var client = await RawHttp1.ConnectAsync(server, receiveBuffer: 16 * 1024);
        await client.GetAsync("/download?delayMs=0&sizeMb=512", id, close: true);
        await client.ReadSomeAsync(); // the body is flowing

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // quiet for a while: its last ACK is seconds old
        client.Close(); // unread data: Linux sends RST

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal("client", entry.AbortSource);
    }

    private static async Task<long> ReadToEndAsync(Stream body)
    {
        using var cts = new CancellationTokenSource(TaskTimeouts.Default);
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cts.Token)) > 0)
        {
            total += read;
        }
        return total;
    }
}
