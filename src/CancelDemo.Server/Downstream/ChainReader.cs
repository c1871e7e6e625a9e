using System.Net.Http.Json;
using System.Text.Json;
using CancelDemo.Server.Ledger;
using CancelDemo.Server.Web;

namespace CancelDemo.Server.Downstream;

/// <summary>
/// A chain as one list: a request's ledger entry, then the entry of the hop it called, read from that hop's
/// own ledger (GET /requests/{id}/chain there, which continues the same way), down to the leaf.
/// </summary>
public sealed partial class ChainReader(RequestLedger ledger, DownstreamClients clients, ILogger<ChainReader> logger)
{
    private static readonly JsonSerializerOptions Json = JsonSetup.Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The chain from <paramref name="id"/> on, or null when this ledger has no such request.</summary>
    public async Task<IReadOnlyList<LedgerEntry>?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        if (ledger.Find(id) is not { } entry)
        {
            return null;
        }
        List<LedgerEntry> chain = [entry];
        if (entry.Downstream is { } call)
        {
            chain.AddRange(await ReadHopAsync(call, cancellationToken));
        }
        return chain;
    }

    private async Task<IReadOnlyList<LedgerEntry>> ReadHopAsync(DownstreamCall call, CancellationToken cancellationToken)
    {
        var hop = new Uri(call.Url);
        var protocol = call.Protocol == "HTTP/1.1" ? HopProtocol.Http1 : hop.Scheme == "https" ? HopProtocol.Https : HopProtocol.H2c;
        var url = new Uri(hop, $"/requests/{Uri.EscapeDataString(call.RequestId)}/chain");
        // A hop that accepts and never answers must not hold this read for ever.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(NextHop.DiscoveryTimeout);
        try
        {
            return await clients.For(protocol).GetFromJsonAsync<List<LedgerEntry>>(url, Json, bounded.Token) ?? [];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnreadable(logger, url, $"no answer within {NextHop.DiscoveryTimeout.TotalSeconds:0} s");
            return [];
        }
        catch (HttpRequestException e)
        {
            // The hop may have forgotten the request, or be gone: the chain shows what could be read.
            LogUnreadable(logger, url, e.Message);
            return [];
        }
    }

    [LoggerMessage(82, LogLevel.Information, "The next hop's ledger at {Url} could not be read: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, Uri url, string reason);
}
