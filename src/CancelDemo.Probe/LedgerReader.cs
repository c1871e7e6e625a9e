using System.Net.Http.Json;
using System.Text.Json;

namespace CancelDemo.Probe;

/// <summary>The fields of a server ledger entry the probe reads (CancelDemo's own, and the contract's that any server may implement).</summary>
public sealed record ServerEntry(
    string Id,
    string Protocol,
    string ConnectionId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string Outcome,
    int? StatusCode,
    int IterationsPlanned,
    int IterationsCompleted,
    long BytesWritten,
    DateTimeOffset? AbortObservedAt,
    DateTimeOffset? StoppedAt,
    double? AbortToStopMs,
    string? ParentId = null,
    ServerDownstream? Downstream = null,
    ServerQuery? Query = null,
    string? AbortSignal = null,
    double? WorkAfterAbortMs = null,
    IReadOnlyList<ServerOperation>? Operations = null);

/// <summary>An operation the request started, as the ledger contract (docs/ledger-contract.md) reports it.</summary>
public sealed record ServerOperation(string Name, string Source, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string Ending, double? EndedAfterAbortMs, bool RanOn);

/// <summary>The call a /chain hop made to the next one.</summary>
public sealed record ServerDownstream(string RequestId, string Protocol, DateTimeOffset CalledAt, DateTimeOffset? CancelledAt, DateTimeOffset? EndedAt, string? Ending);

/// <summary>What a /query statement did in the database.</summary>
public sealed record ServerQuery(string Api, string Kind, int? BackendPid, DateTimeOffset? StartedAt, DateTimeOffset? CancelRequestedAt, DateTimeOffset? EndedAt, string? Ending, string? SqlState);

/// <summary>Reads the server's ledger (GET /requests/{id}) to learn what the server saw.</summary>
public sealed class LedgerReader(HttpClient client, TimeSpan wait)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task<ServerEntry?> FindAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync($"requests/{Uri.EscapeDataString(id)}", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"the ledger at {client.BaseAddress} answered {(int)response.StatusCode} for request {id}; point --ledger at the server's HTTP/1.1 listener (http://localhost:8080).");
        }
        return await response.Content.ReadFromJsonAsync<ServerEntry>(Json, cancellationToken);
    }

    /// <summary>
    /// The chain of <paramref name="id"/> (GET /requests/{id}/chain: the entry, then each hop's from its own
    /// server), polled until every hop it reaches has ended and the last one called nobody further.
    /// </summary>
    public async Task<IReadOnlyList<ServerEntry>> WaitForChainAsync(string id, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(wait);
        List<ServerEntry> last = [];
        try
        {
            while (true)
            {
                using var response = await client.GetAsync($"requests/{Uri.EscapeDataString(id)}/chain", bounded.Token);
                if (response.IsSuccessStatusCode)
                {
                    last = await response.Content.ReadFromJsonAsync<List<ServerEntry>>(Json, bounded.Token) ?? [];
                    if (last.Count > 0 && last.All(e => e.EndedAt is not null) && last[^1].Downstream is null)
                    {
                        return last;
                    }
                }
                await Task.Delay(PollInterval, bounded.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return last;
        }
    }

    /// <summary>
    /// Polls until the entry has ended. The probe is an outside client of any server, so it asks
    /// the ledger over HTTP rather than subscribing in-process; the wait is bounded.
    /// </summary>
    public async Task<ServerEntry?> WaitForEndAsync(string id, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(wait);
        ServerEntry? last = null;
        try
        {
            while (true)
            {
                last = await FindAsync(id, bounded.Token);
                if (last?.EndedAt is not null)
                {
                    return last;
                }
                await Task.Delay(PollInterval, bounded.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return last;
        }
    }
}
