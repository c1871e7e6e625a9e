using System.Net.Http.Json;

namespace CancelDemo.Probe.Audit;

/// <summary>
/// Audits one endpoint over one protocol: sends it with an X-Request-Id, cancels after the chosen time, then reads the
/// server's ledger entry until the handler and every operation it started have ended (or the settle time has passed),
/// and says whether the work stopped.
/// </summary>
public sealed class AuditRunner(ProbeTarget target, TimeSpan cancelAfter, TimeSpan threshold, TimeSpan settle)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task<AuditResult> RunAsync(string path, CancellationToken cancellationToken)
    {
        var protocol = target.Settings.Protocol.Name();
        var id = $"audit-{Guid.NewGuid():N}"[..24];
        using var client = target.NewClient();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sentAt = DateTimeOffset.UtcNow;
        var exchange = ExchangeAsync(client, ProbeTarget.Get(path, id), cancel.Token);
        if (await Task.WhenAny(exchange, Task.Delay(cancelAfter, cancellationToken)) == exchange)
        {
            var status = await exchange;
            return new AuditResult(path, protocol, id, null, null, [], AuditResult.Answered,
                $"answered {status} in {(DateTimeOffset.UtcNow - sentAt).TotalMilliseconds:0} ms, before the cancel: try a shorter --cancel-after");
        }
        var cancelledAt = DateTimeOffset.UtcNow;
        await cancel.CancelAsync();
        await exchange;

        var entry = await WaitSettledAsync(id, cancelledAt + settle, cancellationToken);
        if (entry is null)
        {
            return new AuditResult(path, protocol, id, null, null, [], AuditResult.NotNoticed,
                $"no ledger entry {id} at {target.Settings.Ledger}: the app does not record this endpoint");
        }
        if (entry.AbortObservedAt is not { } abort)
        {
            return new AuditResult(path, protocol, id, null, null, Operations(entry, null), AuditResult.NotNoticed,
                entry.EndedAt is null ? "RequestAborted never fired; the request still runs" : $"RequestAborted never fired; it ended {entry.Outcome} {entry.StatusCode}");
        }
        var operations = Operations(entry, abort);
        var handler = entry.EndedAt is { } ended ? (ended - abort).TotalMilliseconds : (double?)null;
        var handlerRanOn = handler is null || handler > threshold.TotalMilliseconds;
        var leaks = handlerRanOn || operations.Any(o => o.RanOn);
        return new AuditResult(path, protocol, id, (abort - cancelledAt).TotalMilliseconds, handler, operations, leaks ? AuditResult.Leaks : AuditResult.Stops,
            handler is null ? $"the handler still ran {settle.TotalSeconds:0.#} s after the cancel" : null);
    }

    /// <summary>The response read to its end; the status, or how the call ended (the client's own cancel is expected).</summary>
    private static async Task<string> ExchangeAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await body.CopyToAsync(Stream.Null, cancellationToken);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when ((e is OperationCanceledException or HttpRequestException or IOException) && !ProbeErrors.IsUnreachable(e))
        {
            return e.GetType().Name;
        }
    }

    /// <summary>Reads the entry until the handler and all its operations have ended, or <paramref name="until"/>.</summary>
    private async Task<ServerEntry?> WaitSettledAsync(string id, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ServerEntry? last = null;
        while (true)
        {
            last = await target.Ledger.FindAsync(id, cancellationToken) ?? last;
            if (last is { EndedAt: not null } && (last.Operations ?? []).All(o => o.EndedAt is not null))
            {
                return last;
            }
            if (DateTimeOffset.UtcNow >= until)
            {
                return last;
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private List<AuditOperation> Operations(ServerEntry entry, DateTimeOffset? abort)
    {
        var now = DateTimeOffset.UtcNow;
        return [.. (entry.Operations ?? []).Select(o =>
        {
            var afterAbort = abort is { } a && o.EndedAt is { } e ? (e - a).TotalMilliseconds : (double?)null;
            var ranOn = abort is { } at && ((o.EndedAt ?? now) - at) > threshold;
            return new AuditOperation(o.Name, o.Source, afterAbort, o.EndedAt is null ? "running" : o.Ending, ranOn);
        })];
    }

    /// <summary>Whether the server has a ledger at all: a 404 for /requests means the app never mapped it.</summary>
    public static async Task<bool> HasLedgerAsync(HttpClient ledger, CancellationToken cancellationToken)
    {
        using var response = await ledger.GetAsync("requests?limit=1", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadFromJsonAsync<List<System.Text.Json.JsonElement>>(cancellationToken);
        return true;
    }
}
