namespace CancelDemo.Probe;

/// <summary>
/// The chain scenario: sends /chain (hops calling hops, down to a loop or a query), cancels it like a client
/// that gives up, and reads the whole chain from the ledger: when each hop and the database noticed and stopped.
/// Then it sends a short chain on the same client to see whether the hop's connection was kept.
/// </summary>
public sealed class ChainRunner(ProbeTarget target)
{
    /// <summary>Runs one chain of <paramref name="hops"/> hops over <paramref name="downstream"/> to <paramref name="leaf"/> (loop or query).</summary>
    public async Task<Waterfall> RunAsync(Transport downstream, string leaf, int hops, CancellationToken cancellationToken)
    {
        var id = $"probe-chain-{Guid.NewGuid():N}"[..24];
        using var client = target.NewClient();
        var query = $"chain?hops={hops}&downstreamProtocol={downstream.Name()}&leaf={leaf}&iterations=600&stepMs=100&seconds=60";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = client.SendAsync(ProbeTarget.Get(query, id), cts.Token);
        await Task.Delay(target.Settings.CancelAfter ?? TimeSpan.FromSeconds(2), cancellationToken);
        var cancelledAt = DateTimeOffset.UtcNow;
        await cts.CancelAsync();
        try
        {
            using var response = await call;
        }
        catch (Exception e) when ((e is OperationCanceledException or HttpRequestException) && !ProbeErrors.IsUnreachable(e))
        {
            // the client's own view of its cancel
        }
        var chain = await target.Ledger.WaitForChainAsync(id, cancellationToken);
        return Waterfall.From(target.Settings.Protocol.Name(), downstream.Name(), leaf, id, cancelledAt, chain,
            await HopConnectionKeptAsync(client, downstream, hops, chain, cancellationToken));
    }

    /// <summary>A short chain on the same client: does its first hop arrive on the connection the cancelled one used?</summary>
    private async Task<bool?> HopConnectionKeptAsync(HttpClient client, Transport downstream, int hops, IReadOnlyList<ServerEntry> chain, CancellationToken cancellationToken)
    {
        if (chain.Count < 2 || hops < 1)
        {
            return null;
        }
        var nextId = $"{chain[0].Id}-next";
        using (await client.SendAsync(ProbeTarget.Get($"chain?hops={hops}&downstreamProtocol={downstream.Name()}&leaf=loop&iterations=1&stepMs=1", nextId), cancellationToken))
        {
        }
        var next = await target.Ledger.WaitForChainAsync(nextId, cancellationToken);
        return next.Count < 2 ? null : next[1].ConnectionId == chain[1].ConnectionId;
    }
}
