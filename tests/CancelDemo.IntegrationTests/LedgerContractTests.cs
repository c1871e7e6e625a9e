using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// docs/ledger-contract.md, checked from outside against every server that implements it: CancelDemo's server and
/// samples/ShopApi (CancelDemo.AspNetCore's two lines). Each derived class starts its app in its own process.
/// </summary>
public abstract partial class LedgerContractTests
{
    private static readonly string[] ClosedConnection = ["FIN", "RST"];

    /// <summary>The app's HTTP/1.1 base address, and an endpoint that works for a few seconds unless cancelled.</summary>
    protected abstract Task<(Uri Base, string LongPath, IAsyncDisposable App)> StartAsync();

    /// <summary>The source of the operations an aborted <c>LongPath</c> starts, or null when it starts none.</summary>
    protected abstract string? OperationSource { get; }

    [Fact]
    public async Task AnAbortedRequestsEntryHasEveryFieldOfTheContract()
    {
        var (baseAddress, longPath, app) = await StartAsync();
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = baseAddress };
        var id = CancelDemoServer.NewId("contract");

        using var cancel = new CancellationTokenSource();
        var call = client.SendAsync(CancelDemoServer.Get(longPath, id), cancel.Token);
        // Running, and with its operation started: on a busy machine that can take longer than any fixed pause.
        await WaitForAsync(client, id, e => e.GetProperty("outcome").GetString() == "running" && (OperationSource is not { } started || HasOperation(e, started)));
        await Task.Delay(300); // let time pass: the work gets going
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var entry = await WaitForAsync(client, id, e => e.GetProperty("endedAt").ValueKind != JsonValueKind.Null
            && (e.GetProperty("operations").ValueKind == JsonValueKind.Null || e.GetProperty("operations").EnumerateArray().All(o => o.GetProperty("endedAt").ValueKind != JsonValueKind.Null)));

        Assert.Equal(id, entry.GetProperty("id").GetString());
        Assert.Equal("GET", entry.GetProperty("method").GetString());
        Assert.Equal(longPath.Split('?')[0], entry.GetProperty("path").GetString());
        Assert.StartsWith("/", entry.GetProperty("route").GetString(), StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1", entry.GetProperty("protocol").GetString());
        Assert.False(string.IsNullOrEmpty(entry.GetProperty("connectionId").GetString()));
        Assert.StartsWith("127.0.0.1:", entry.GetProperty("remoteEndPoint").GetString(), StringComparison.Ordinal);
        foreach (var time in new[] { "startedAt", "endedAt", "abortObservedAt" })
        {
            Assert.Matches(Time(), entry.GetProperty(time).GetString()!);
        }
        Assert.Equal("clientAborted", entry.GetProperty("outcome").GetString());
        Assert.Equal(499, entry.GetProperty("statusCode").GetInt32());
        Assert.Contains(entry.GetProperty("abortSignal").GetString(), ClosedConnection); // HttpClient closes the connection
        Assert.InRange(entry.GetProperty("workAfterAbortMs").GetDouble(), 0, 2000);
        Assert.Matches("^[0-9a-f]{32}$", entry.GetProperty("traceId").GetString()!);
        var operations = entry.GetProperty("operations");
        if (OperationSource is { } source)
        {
            var operation = Assert.Single(operations.EnumerateArray(), o => o.GetProperty("source").GetString() == source);
            Assert.Equal("cancelled", operation.GetProperty("ending").GetString());
            Assert.Matches(Time(), operation.GetProperty("startedAt").GetString()!);
            Assert.InRange(operation.GetProperty("endedAfterAbortMs").GetDouble(), -50, 2000);
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("name").GetString()));
            Assert.Equal(JsonValueKind.False, operation.GetProperty("ranOn").ValueKind);
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, operations.ValueKind);
        }
    }

    [Fact]
    public async Task TheListIsNewestFirstItsLimitIsCheckedAndAnUnknownIdIs404()
    {
        var (baseAddress, longPath, app) = await StartAsync();
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = baseAddress };
        var (first, second) = (CancelDemoServer.NewId("older"), CancelDemoServer.NewId("newer"));
        foreach (var id in new[] { first, second })
        {
            using var cancel = new CancellationTokenSource();
            var call = client.SendAsync(CancelDemoServer.Get(longPath, id), cancel.Token);
            await WaitForAsync(client, id, e => e.GetProperty("outcome").GetString() == "running");
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        using var list = JsonDocument.Parse(await client.GetStringAsync("requests?limit=2"));
        Assert.Equal([second, first], list.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        foreach (var bad in new[] { "0", "1001", "abc" })
        {
            using var refused = await client.GetAsync($"requests?limit={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("\"limit\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var unknown = await client.GetAsync("requests/no-such-request");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnIdOfARequestStillRunningIsRefusedWith409AndTheFeedShowsEveryChange()
    {
        var (baseAddress, longPath, app) = await StartAsync();
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var feed = await client.GetAsync("requests/events", HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        Assert.Equal("text/event-stream", feed.Content.Headers.ContentType?.MediaType);
        using var events = new StreamReader(await feed.Content.ReadAsStreamAsync());
        Assert.Equal("event: ready", await events.ReadLineAsync().DefaultTimeout());
        var id = CancelDemoServer.NewId("feed");

        using var cancel = new CancellationTokenSource();
        var call = client.SendAsync(CancelDemoServer.Get(longPath, id), cancel.Token);
        await WaitForAsync(client, id, e => e.GetProperty("outcome").GetString() == "running");
        using (var duplicate = await client.SendAsync(CancelDemoServer.Get(longPath, id)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // Every change of the entry arrives, in order, down to its end.
        string? outcome = null;
        while (outcome != "clientAborted")
        {
            var line = await events.ReadLineAsync().DefaultTimeout();
            if (line is not null && line.StartsWith("data: ", StringComparison.Ordinal) && line.Length > 6)
            {
                using var entry = JsonDocument.Parse(line[6..]);
                if (entry.RootElement.GetProperty("id").GetString() == id)
                {
                    outcome = entry.RootElement.GetProperty("outcome").GetString();
                }
            }
        }
    }

    private static bool HasOperation(JsonElement entry, string source) =>
        entry.GetProperty("operations") is { ValueKind: JsonValueKind.Array } operations
        && operations.EnumerateArray().Any(o => o.GetProperty("source").GetString() == source);

    /// <summary>Reads GET /requests/{id} (bounded) until the entry satisfies <paramref name="condition"/>.</summary>
    protected static async Task<JsonElement> WaitForAsync(HttpClient client, string id, Func<JsonElement, bool> condition)
    {
        using var bound = new CancellationTokenSource(TaskTimeouts.Default);
        JsonElement? last = null;
        while (!bound.IsCancellationRequested)
        {
            using var response = await client.GetAsync($"requests/{id}", bound.Token);
            if (response.IsSuccessStatusCode)
            {
                last = JsonDocument.Parse(await response.Content.ReadAsStringAsync(bound.Token)).RootElement.Clone();
                if (condition(last.Value))
                {
                    return last.Value;
                }
            }
            await Task.Delay(50, bound.Token); // an outside client of the app: the ledger is read by polling, bounded
        }
        throw new TimeoutException($"entry {id} did not reach the expected state; last seen: {last}");
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")]
    private static partial Regex Time();
}

public sealed class CancelDemoServerLedgerContractTests : LedgerContractTests
{
    protected override string? OperationSource => null;

    protected override async Task<(Uri Base, string LongPath, IAsyncDisposable App)> StartAsync()
    {
        var server = await ServerProcess.StartAsync();
        return (server.BaseAddress(Transport.Http1), "/http1?iterations=100&stepMs=100", server);
    }
}

[Collection(PostgresClusterDefinition.Name)]
public sealed class ShopApiLedgerContractTests(PostgresCluster postgres) : LedgerContractTests
{
    protected override string? OperationSource => "Npgsql";

    protected override async Task<(Uri Base, string LongPath, IAsyncDisposable App)> StartAsync()
    {
        var shop = await ShopApiProcess.StartAsync(postgres.Direct);
        return (shop.Http1, "/orders/1", shop);
    }
}
