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
        await using var curl = Curl.Start(Curl.CommandFor(server, transport, pathAndQuery, id));
        var running = await server.WaitForEntryAsync(id, working);
        var clientPort = int.Parse(running.RemoteEndPoint!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);

        await using var drop = await PacketDrop.ForClientPortAsync(clientPort);
        curl.Kill();
        var vanishedAt = DateTimeOffset.UtcNow;
        var entry = await server.WaitForEndAsync(id, timeout);
        return (entry, vanishedAt);
    }
}
