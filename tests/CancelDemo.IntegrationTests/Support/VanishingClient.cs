using CancelDemo.Server.Ledger;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>The seed's "Offline" experiment for real: a curl client whose packets are dropped, then killed.</summary>
public static class VanishingClient
{
    /// <summary>
    /// Starts curl on <paramref name="pathAndQuery"/>, waits until the server is working on it, drops
    /// all the connection's packets, kills curl, and waits (bounded by <paramref name="timeout"/>) for
    /// the server to end the request. The drop stays in place until the server has decided.
    /// </summary>
    public static async Task<(LedgerEntry Entry, DateTimeOffset VanishedAt)> VanishAsync(
        CancelDemoServer server, Transport transport, string pathAndQuery, Func<LedgerEntry, bool> working, TimeSpan timeout)
    {
        var id = CancelDemoServer.NewId("vanish");
        using var curl = Curl.Start(Curl.ArgumentsFor(server, transport, pathAndQuery, id));
        var running = await server.WaitForEntryAsync(id, working);
        var clientPort = int.Parse(running.RemoteEndPoint!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);

        await using var drop = await PacketDrop.ForClientPortAsync(clientPort);
        curl.Kill();
        var vanishedAt = DateTimeOffset.UtcNow;
        var entry = await server.WaitForEndAsync(id, timeout);
        return (entry, vanishedAt);
    }
}

/// <summary>The seed's server: nothing detects a client that vanished.</summary>
public sealed class DeadPeerOffServer() : CancelDemoServer(new Dictionary<string, string?> { ["DeadPeer:Enabled"] = "false" });

/// <summary>Short detection bounds, so tests prove them in seconds: 2 s + 2 s either way.</summary>
public sealed class ShortDeadPeerServer() : CancelDemoServer(Settings)
{
    public static readonly TimeSpan TcpBound = TimeSpan.FromSeconds(2 + (1 * 2)); // idle + interval × count
    public static readonly TimeSpan Http2Bound = TimeSpan.FromSeconds(2 + 2);     // ping delay + ping timeout
    public static readonly TimeSpan UserTimeout = TimeSpan.FromSeconds(4);

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["DeadPeer:TcpKeepAliveIdle"] = "00:00:02",
        ["DeadPeer:TcpKeepAliveInterval"] = "00:00:01",
        ["DeadPeer:TcpKeepAliveCount"] = "2",
        ["DeadPeer:TcpUserTimeout"] = "00:00:04",
        ["DeadPeer:Http2PingDelay"] = "00:00:02",
        ["DeadPeer:Http2PingTimeout"] = "00:00:02",
    };
}
