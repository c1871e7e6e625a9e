using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Xunit.Abstractions;

namespace CancelDemo.IntegrationTests;

/// <summary>The seed's result: with nothing to detect it, a client that vanished is worked for to the end.</summary>
public sealed class VanishedClientWithoutDetectionTests(DeadPeerOffServer server) : IClassFixture<DeadPeerOffServer>
{
    public static TheoryData<Transport> Transports => TestData.Transports();

    [RequiresTheory("root", "iptables")]
    [MemberData(nameof(Transports))]
    public async Task VanishedClientIsWorkedForToCompletion(Transport transport)
    {
        var (entry, _) = await VanishingClient.VanishAsync(
            server, transport, "/http1?iterations=8&stepMs=500", e => e.IterationsCompleted >= 1, TimeSpan.FromSeconds(30));

        Assert.Equal(RequestOutcome.Completed, entry.Outcome);
        Assert.Equal(8, entry.IterationsCompleted);
        Assert.Null(entry.AbortObservedAt);
    }

    [RequiresFact("root", "iptables")]
    public async Task MinResponseDataRateDoesNotEndABulkStreamToAVanishedClient()
    {
        // Kestrel allows each write bytes / 240 B/s: a 64 KiB write may block for 273 s before it counts as too slow.
        var id = CancelDemoServer.NewId("vanish-stream");
        await using var curl = Curl.Start(Curl.CommandFor(server, Transport.Http1, "/stream?chunkBytes=65536&intervalMs=20&durationMs=120000", id));
        var running = await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 3);
        await using var drop = await PacketDrop.ForClientPortAsync(int.Parse(running.RemoteEndPoint!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture));
        curl.Kill();

        await Task.Delay(TimeSpan.FromSeconds(10)); // let time pass: the send buffer fills and the writes block
        var blocked = server.Ledger.Find(id)!;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var later = server.Ledger.Find(id)!;

        Assert.Equal(RequestOutcome.Running, later.Outcome); // nothing has ended it
        Assert.Equal(blocked.BytesWritten, later.BytesWritten); // and it is stuck, not streaming
    }
}

/// <summary>Short test bounds: the vanished client is noticed within them, on every protocol, as a dead peer.</summary>
public sealed class VanishedClientShortDetectionTests(ShortDeadPeerServer server, ITestOutputHelper output) : IClassFixture<ShortDeadPeerServer>
{
    private const int StepMs = 250;
    // Kestrel checks pings on a 1 s heartbeat (twice: to send and to time out), plus a busy machine; measured
    // up to 2.9 s over the bound with both cores loaded. The request would otherwise run for 50 s.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(6);

    public static TheoryData<Transport> Transports => TestData.Transports();

    [RequiresTheory("root", "iptables")]
    [MemberData(nameof(Transports))]
    public async Task VanishedClientIsNoticedWithinTheConfiguredBoundAndTheWorkStops(Transport transport)
    {
        var bound = transport == Transport.Http1 ? ShortDeadPeerServer.TcpBound : ShortDeadPeerServer.Http2Bound;

        var (entry, vanishedAt) = await VanishingClient.VanishAsync(
            server, transport, $"/http1?iterations=200&stepMs={StepMs}", e => e.IterationsCompleted >= 1, TimeSpan.FromSeconds(30));

        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        var detection = entry.AbortObservedAt!.Value - vanishedAt;
        output.WriteLine($"{transport}: noticed after {detection.TotalSeconds:0.00} s (bound {bound.TotalSeconds} s), peer silent {entry.PeerSilentMs} ms");
        Assert.InRange(detection, TimeSpan.Zero, bound + Margin);
        Assert.Equal("deadPeer", entry.AbortSource);
        await Task.Delay(3 * StepMs); // let time pass: a handler still running would count more iterations
        Assert.Equal(entry.IterationsCompleted, server.Ledger.Find(entry.Id)!.IterationsCompleted);
    }

    [RequiresTheory("root", "iptables")]
    [MemberData(nameof(Transports))]
    public async Task StreamToAVanishedClientIsEndedWithinTheBound(Transport transport)
    {
        var bound = transport == Transport.Http1 ? ShortDeadPeerServer.TcpBound : ShortDeadPeerServer.Http2Bound;

        var (entry, vanishedAt) = await VanishingClient.VanishAsync(
            server, transport, "/stream?chunkBytes=1024&intervalMs=100&durationMs=60000", e => e.IterationsCompleted >= 3, TimeSpan.FromSeconds(30));

        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal("deadPeer", entry.AbortSource);
        var detection = entry.AbortObservedAt!.Value - vanishedAt;
        output.WriteLine($"stream {transport}: noticed after {detection.TotalSeconds:0.00} s (bound {bound.TotalSeconds} s), peer silent {entry.PeerSilentMs} ms");
        Assert.InRange(detection, TimeSpan.Zero, bound + Margin);
    }

    [RequiresFact("root", "iptables")]
    public async Task ClientThatSaysGoodbyeIsRecordedAsTheClientNotADeadPeer()
    {
        var id = CancelDemoServer.NewId("goodbye");
        await using var curl = Curl.Start(Curl.CommandFor(server, Transport.Http1, $"/http1?iterations=200&stepMs={StepMs}", id));
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);
        await curl.SignalAsync("INT");

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal("client", entry.AbortSource);
    }
}

/// <summary>The defaults notice a vanished client within 30 s on every protocol.</summary>
public sealed class VanishedClientDefaultDetectionTests(CancelDemoServer server, ITestOutputHelper output) : IClassFixture<CancelDemoServer>
{
    public static TheoryData<Transport> Transports => TestData.Transports();

    [RequiresTheory("root", "iptables")]
    [MemberData(nameof(Transports))]
    public async Task VanishedClientIsNoticedWithinThirtySecondsByDefault(Transport transport)
    {
        var (entry, vanishedAt) = await VanishingClient.VanishAsync(
            server, transport, "/http1?iterations=120&stepMs=500", e => e.IterationsCompleted >= 1, TimeSpan.FromSeconds(45));

        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal("deadPeer", entry.AbortSource);
        var detection = entry.AbortObservedAt!.Value - vanishedAt;
        output.WriteLine($"{transport}: noticed after {detection.TotalSeconds:0.00} s with the defaults");
        Assert.InRange(detection, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }
}
