namespace CancelDemo.Probe;

/// <summary>
/// Runs a scenario on a fresh connection pool, then asks the server's ledger what it saw, and
/// sends one follow-up request on the same client to learn whether the connection survived.
/// </summary>
public sealed class ScenarioRunner(ProbeTarget target)
{
    public async Task<ScenarioResult> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var id = $"probe-{scenario.Name}-{Guid.NewGuid():N}"[..Math.Min(scenario.Name.Length + 18, 128)];
        using var client = target.NewClient();
        var cancelAfter = target.Settings.CancelAfter ?? scenario.DefaultCancelAfter;

        var clientSide = await scenario.Run(client, ProbeTarget.Get(scenario.PathAndQuery, id), cancelAfter, cancellationToken);
        var entry = await target.Ledger.WaitForEndAsync(id, cancellationToken);
        var reused = await ConnectionReusedAsync(client, id, entry, cancellationToken);

        var noticed = entry?.Outcome == "clientAborted";
        return new ScenarioResult(
            scenario.Name,
            target.Settings.Protocol.Name(),
            id,
            noticed,
            entry?.Outcome ?? (entry is null ? "not in ledger" : null),
            entry?.StatusCode,
            entry?.Protocol,
            entry?.AbortToStopMs,
            entry?.AbortObservedAt is { } observed ? (observed - clientSide.CancelledAt).TotalMilliseconds : null,
            scenario.Unit.ToString().ToLowerInvariant(),
            WorkAtCancel(scenario, clientSide, entry),
            WorkTotal(scenario, entry),
            clientSide.ReceivedBytes,
            reused,
            clientSide.Error,
            entry is null ? $"no ledger entry {id} at {target.Settings.Ledger}" : null);
    }

    /// <summary>What the server should have done by the client's cancel: from elapsed time for loops and streams, from what arrived for bytes.</summary>
    private static long? WorkAtCancel(Scenario scenario, ClientSide client, ServerEntry? entry)
    {
        var elapsed = client.CancelledAt - client.SentAt;
        return scenario.Unit switch
        {
            WorkUnit.Iterations => Math.Min(entry?.IterationsPlanned ?? long.MaxValue, (long)(elapsed / scenario.Step)),
            WorkUnit.Chunks => Math.Min(entry?.IterationsPlanned ?? long.MaxValue, (long)(elapsed / scenario.Step) + 1),
            _ => client.ReceivedBytes,
        };
    }

    private static long? WorkTotal(Scenario scenario, ServerEntry? entry) => entry is null ? null : scenario.Unit switch
    {
        WorkUnit.Bytes => entry.BytesWritten,
        _ => entry.IterationsCompleted,
    };

    /// <summary>HTTP/1.1 closes the connection on cancel; HTTP/2 resets only the stream and keeps it.</summary>
    private async Task<bool?> ConnectionReusedAsync(HttpClient client, string id, ServerEntry? entry, CancellationToken cancellationToken)
    {
        if (entry is null)
        {
            return null;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(30));
        var nextId = $"{id}-next";
        using (await client.SendAsync(ProbeTarget.Get("/http1?iterations=1&stepMs=1", nextId), bounded.Token))
        {
        }
        var next = await target.Ledger.WaitForEndAsync(nextId, cancellationToken);
        return next is null ? null : next.ConnectionId == entry.ConnectionId;
    }
}
