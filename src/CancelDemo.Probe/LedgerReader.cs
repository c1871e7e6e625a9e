using System.Net.Http.Json;
using System.Text.Json;

namespace CancelDemo.Probe;

/// <summary>The fields of a server ledger entry the probe reads.</summary>
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
    double? AbortToStopMs);

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
