using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Extensions.Logging;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// The ledger's Server-Sent Events feed: a subscriber that vanishes or resets mid-stream is normal traffic (no
/// 500, no Warning or Error, nothing thrown out of the handler), and the feed never holds up the host's shutdown.
/// </summary>
public sealed class LedgerFeedTests
{
    [RequiresFact("root", "curl", "iptables")]
    public async Task SubscriberThatVanishesWhileEventsAreFlowingEndsQuietly()
    {
        await using var server = new ShortDeadPeerServer();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var feed = server.BaseAddress(Transport.Http1) + "requests/events";
        await using var curl = ChildProcess.Start("curl", ["-sS", "-N", "--http1.1", feed],
            onLine: line => { if (line == "event: ready") { ready.TrySetResult(); } });
        await ready.Task.DefaultTimeout();
        var subscriber = server.Ledger.Recent(1).Count; // the feed itself is not in the ledger
        var port = await SubscriberPortAsync(server);

        await using var drop = await PacketDrop.ForClientPortAsync(port);
        curl.Kill();
        using var client = server.CreateClient(Transport.H2c);
        var summary = await FeedEndedAsync(server, async () =>
        {
            // Changes keep flowing to the vanished subscriber until the server gives up on it.
            using var response = await client.GetAsync("/http1?iterations=20&stepMs=1");
        });

        AssertEndedQuietly(server, summary);
        Assert.Equal(0, subscriber);
    }

    [Fact]
    public async Task SubscriberThatStopsReadingAndThenResetsEndsQuietly()
    {
        await using var server = new ShortDeadPeerServer();
        using var subscriber = await PausedSubscriberAsync(server);
        using var client = server.CreateClient(Transport.H2c);
        // About 8 MB of changes, more than the paused subscriber's window and the server's socket buffer
        // (which grows to about 3 MB here) can hold: the feed's write is now waiting.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 8; i++)
            {
                using var response = await client.GetAsync("/http1?iterations=200&stepMs=1");
            }
        }));

        subscriber.Close(); // unread data: RST, while the feed's write is waiting
        var summary = await FeedEndedAsync(server, async () =>
        {
            using var response = await client.GetAsync("/http1?iterations=5&stepMs=1");
        });

        AssertEndedQuietly(server, summary);
    }

    /// <summary>
    /// However the feed ends, it is normal traffic: no Warning or Error, no exception out of the handler (the
    /// exception handler would log it, and a 500 when the client is not yet known to be gone), status 200.
    /// </summary>
    private static void AssertEndedQuietly(CancelDemoServer server, CapturedLog summary)
    {
        Assert.DoesNotContain(server.Logs.Events, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(server.Logs.Events, e => e.Category.StartsWith("Microsoft.AspNetCore.Diagnostics.ExceptionHandler", StringComparison.Ordinal));
        Assert.StartsWith("200 |", summary.Message, StringComparison.Ordinal);
    }

    /// <summary>A raw HTTP/1.1 subscriber with a tiny window, that reads the response headers and then nothing.</summary>
    private static async Task<RawHttp1> PausedSubscriberAsync(CancelDemoServer server)
    {
        var subscriber = await RawHttp1.ConnectAsync(server, receiveBuffer: 4096);
        await subscriber.GetAsync("/requests/events");
        await subscriber.ReadSomeAsync(); // subscribed; from now on it reads nothing
        return subscriber;
    }

    /// <summary>The client port of the open /requests/events connection, from the server's own connection list.</summary>
    private static async Task<int> SubscriberPortAsync(CancelDemoServer server)
    {
        var http1 = server.BaseAddress(Transport.Http1).Port;
        var (_, output) = await ChildProcess.RunAsync("ss", ["-Htn", "state", "established", $"( sport = :{http1} )"]);
        var peer = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single().Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        return int.Parse(peer.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <paramref name="traffic"/> until the feed's summary line appears (bounded), and returns it.</summary>
    private static async Task<CapturedLog> FeedEndedAsync(CancelDemoServer server, Func<Task> traffic)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            if (server.Logs.Events.FirstOrDefault(e => e.EventId.Id == 10 && e.Message.Contains("\"/requests/events\"", StringComparison.Ordinal)) is { } line)
            {
                return line;
            }
            await traffic();
        }
        throw new TimeoutException("the feed to the vanished subscriber never ended");
    }
}
