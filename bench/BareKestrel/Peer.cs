using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BareKestrel;

public static class Work
{
    /// <summary>The seed's loop: <c>iterations</c> steps of <c>stepMs</c>, each a delay that watches the stop token.</summary>
    public static async Task<IResult> RunAsync(HttpContext context, Ledger ledger, int iterations = 10, int stepMs = 1000)
    {
        var id = context.Request.Headers["X-Request-Id"].ToString();
        ledger.Start(id, context.Request.Protocol, context.Connection.Id);

        // RequestAborted's callback records the abort, then stops the loop through the loop's own token, so
        // the abort is always in the ledger before the loop can wake (as in CancelDemo's StopSignal). The
        // order in which one token runs its callbacks and resumes awaiting code is not a contract.
        using var stop = new CancellationTokenSource();
        using var aborted = context.RequestAborted.Register(() =>
        {
            ledger.AbortObserved(id, DateTime.UtcNow);
            stop.Cancel();
        });
        try
        {
            for (var i = 0; i < iterations; i++)
            {
                await Task.Delay(stepMs, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            ledger.Stopped(id, DateTime.UtcNow);
            return Results.Json(new { error = "Client has disconnected" }, statusCode: 499);
        }

        ledger.Completed(id, DateTime.UtcNow);
        return Results.Ok(new { status = "Task completed successfully" });
    }
}

public sealed record Entry(
    string Id,
    string Protocol,
    DateTime StartedAt,
    DateTime? EndedAt,
    string Outcome,
    int? StatusCode,
    DateTime? AbortObservedAt,
    DateTime? StoppedAt,
    string ConnectionId);

/// <summary>id -> entry, in memory. Every change replaces the entry atomically.</summary>
public sealed class Ledger
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    public Entry? Find(string id) => _entries.GetValueOrDefault(id);

    public void Start(string id, string protocol, string connectionId) =>
        _entries[id] = new Entry(id, protocol, DateTime.UtcNow, null, "running", null, null, null, connectionId);

    public void AbortObserved(string id, DateTime at) =>
        Update(id, e => e.AbortObservedAt is null ? e with { AbortObservedAt = at } : e);

    public void Stopped(string id, DateTime at) =>
        Update(id, e => e with { StoppedAt = at, EndedAt = at, Outcome = "clientAborted", StatusCode = 499 });

    public void Completed(string id, DateTime at) =>
        Update(id, e => e with { EndedAt = at, Outcome = "completed", StatusCode = 200 });

    private void Update(string id, Func<Entry, Entry> change)
    {
        while (_entries.TryGetValue(id, out var entry) && !_entries.TryUpdate(id, change(entry), entry))
        {
        }
    }
}

/// <summary>ISO-8601 UTC with exactly six fractional digits: 2026-11-22T01:10:24.123456Z.</summary>
public sealed class UtcMicroseconds : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}

public sealed record PeerOptions(int Http1, int Https, int H2c, string Cert, string Key)
{
    public static PeerOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }
        string Get(string name) => values.TryGetValue(name, out var value)
            ? value
            : throw new ArgumentException($"missing {name}; usage: --http1 PORT --https PORT --h2c PORT --cert PEM --key PEM");
        int Port(string name) => int.Parse(Get(name), CultureInfo.InvariantCulture);
        return new PeerOptions(Port("--http1"), Port("--https"), Port("--h2c"), Get("--cert"), Get("--key"));
    }
}
