using CancelDemo.Server.Ledger;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Tests;

public sealed class RequestLedgerTests
{
    private static LedgerEntry Entry(string id) => new(id, "GET", "/http1", "HTTP/1.1", "c", null,
        DateTimeOffset.UnixEpoch, null, RequestOutcome.Running, null, 0, 0, 0, null, null);

    [Fact]
    public void KeepsOnlyTheNewestEntriesUpToItsCapacity()
    {
        var ledger = new RequestLedger(Options.Create(new LedgerOptions { Capacity = 3 }));

        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            ledger.Start(Entry(id));
        }

        Assert.Null(ledger.Find("a"));
        Assert.Null(ledger.Find("b"));
        Assert.Equal(["e", "d", "c"], ledger.Recent(10).Select(e => e.Id));
        Assert.Equal(["e", "d"], ledger.Recent(2).Select(e => e.Id));
    }

    [Fact]
    public void ReusedIdFindsTheNewestRequestEvenAfterTheOlderOneIsEvicted()
    {
        var ledger = new RequestLedger(Options.Create(new LedgerOptions { Capacity = 2 }));
        ledger.Start(Entry("same"));
        ledger.Start(Entry("same")).IterationCompleted();

        ledger.Start(Entry("other")); // evicts the first "same"

        Assert.Equal(1, ledger.Find("same")!.IterationsCompleted);
    }

    [Fact]
    public async Task SubscribersSeeEveryChangeAndLeaveQuietlyWhenCancelled()
    {
        var ledger = new RequestLedger(Options.Create(new LedgerOptions()));
        using var cts = new CancellationTokenSource();
        using var subscription = ledger.Subscribe();
        await using var changes = subscription.ReadAllAsync(cts.Token).GetAsyncEnumerator();

        var tracked = ledger.Start(Entry("w"));
        tracked.IterationCompleted();
        tracked.IterationCompleted();

        var seen = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await changes.MoveNextAsync());
            seen.Add(changes.Current.IterationsCompleted);
        }
        var next = changes.MoveNextAsync();
        await cts.CancelAsync();
        Assert.False(await next); // ends, does not throw
        Assert.Equal([0, 1, 2], seen);
    }
}
