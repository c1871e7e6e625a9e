using CancelDemo.Server.Ledger;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Tests;

public sealed class RequestLedgerTests
{
    private static LedgerEntry Entry(string id) => new(id, "GET", "/http1", "HTTP/1.1", "c", null,
        DateTimeOffset.UnixEpoch, null, RequestOutcome.Running, null, 0, 0, 0, null, null);

    private static CancellationLedger NewLedger(int capacity = 1000) =>
        new(Options.Create(new CancellationAuditOptions { Capacity = capacity }), TimeProvider.System);

    /// <summary>Records a request as the audit middleware does; null when its id is in use by a running one.</summary>
    private static TrackedRequest? Start(CancellationLedger ledger, LedgerEntry entry)
    {
        var tracked = new TrackedRequest(entry, ledger);
        return ledger.TryAdd(tracked) ? tracked : null;
    }

    [Fact]
    public async Task TheFeedNeverGoesBackwardsWhenTwoThreadsChangeOneRequest()
    {
        var ledger = NewLedger();
        using var subscription = ledger.Subscribe();
        var tracked = Start(ledger, Entry("raced"))!;
        using var abortPublishing = new ManualResetEventSlim();
        using var releaseAbort = new ManualResetEventSlim();
        // The abort callback's change is held just as it publishes, as a thread preempted there would be.
        ledger.BeforePublish = entry =>
        {
            if (entry.AbortObservedAt is not null && ((LedgerEntry)entry).IterationsCompleted == 0)
            {
                abortPublishing.Set();
                releaseAbort.Wait(TimeSpan.FromSeconds(30));
            }
        };

        var abort = Task.Run(() => tracked.AbortObserved(DateTimeOffset.UnixEpoch, null, writeFailed: false));
        Assert.True(abortPublishing.Wait(TimeSpan.FromSeconds(30)));
        var step = Task.Run(tracked.IterationCompleted); // the handler, meanwhile
        await Task.Delay(200); // let time pass: a step that does not wait for the abort's publishing would be published now
        releaseAbort.Set();
        await Task.WhenAll(abort, step).WaitAsync(TimeSpan.FromSeconds(30));

        var published = new List<LedgerEntry>();
        await foreach (var entry in subscription.ReadAllAsync(new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token))
        {
            published.Add((LedgerEntry)entry);
        }
        // The start, the abort, then the step: the last snapshot is the newest state.
        Assert.Equal([0, 0, 1], published.Select(e => e.IterationsCompleted));
        Assert.All(published.Skip(1), e => Assert.NotNull(e.AbortObservedAt));
    }

    [Fact]
    public void KeepsOnlyTheNewestEntriesUpToItsCapacity()
    {
        var ledger = NewLedger(3);

        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            Ended(Start(ledger, Entry(id))!);
        }

        Assert.Null(ledger.Find("a"));
        Assert.Null(ledger.Find("b"));
        Assert.Equal(["e", "d", "c"], ledger.Recent(10).Select(e => e.Id));
        Assert.Equal(["e", "d"], ledger.Recent(2).Select(e => e.Id));
    }

    [Fact]
    public void ReusedIdFindsTheNewestRequestEvenAfterTheOlderOneIsEvicted()
    {
        var ledger = NewLedger(2);
        Ended(Start(ledger, Entry("same"))!);
        Start(ledger, Entry("same"))!.IterationCompleted();

        Start(ledger, Entry("other")); // evicts the first "same"

        Assert.Equal(1, ((LedgerEntry)ledger.Find("same")!).IterationsCompleted);
    }

    [Fact]
    public void IdOfARunningRequestIsRefusedUntilItEnds()
    {
        var ledger = NewLedger();
        var first = Start(ledger, Entry("same"))!;

        Assert.Null(Start(ledger, Entry("same")));
        Ended(first);
        Assert.NotNull(Start(ledger, Entry("same")));
    }

    [Fact]
    public void RunningRequestsAreNeverForgottenEvenBeyondTheCapacity()
    {
        var ledger = NewLedger(2);
        Start(ledger, Entry("running-1"));
        Start(ledger, Entry("running-2"));
        Ended(Start(ledger, Entry("ended"))!);

        Start(ledger, Entry("newest")); // forgets "ended", the oldest entry that has ended

        Assert.NotNull(ledger.Find("running-1"));
        Assert.NotNull(ledger.Find("running-2"));
        Assert.Null(ledger.Find("ended"));
        Assert.Equal(["newest", "running-2", "running-1"], ledger.Recent(10).Select(e => e.Id));
    }

    private static void Ended(TrackedRequest tracked) => tracked.End(RequestOutcome.Completed, 200, DateTimeOffset.UnixEpoch, settled: null);

    [Fact]
    public async Task SubscribersSeeEveryChangeAndLeaveQuietlyWhenCancelled()
    {
        var ledger = NewLedger();
        using var cts = new CancellationTokenSource();
        using var subscription = ledger.Subscribe();
        await using var changes = subscription.ReadAllAsync(cts.Token).GetAsyncEnumerator();

        var tracked = Start(ledger, Entry("w"))!;
        tracked.IterationCompleted();
        tracked.IterationCompleted();

        var seen = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await changes.MoveNextAsync());
            seen.Add(((LedgerEntry)changes.Current).IterationsCompleted);
        }
        var next = changes.MoveNextAsync();
        await cts.CancelAsync();
        Assert.False(await next); // ends, does not throw
        Assert.Equal([0, 1, 2], seen);
    }

    [Fact]
    public void ProgressNobodyWatchesCostsNoAllocation()
    {
        // Every running request counts its steps; in a storm of a thousand that must not feed the GC.
        var ledger = NewLedger();
        var tracked = Start(ledger, Entry("quiet"))!;
        tracked.IterationCompleted(); // the first call may JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            tracked.IterationCompleted();
            tracked.AddBytesWritten(10);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(101, ((LedgerEntry)ledger.Find("quiet")!).IterationsCompleted);
        Assert.Equal(1000, tracked.BytesWritten);
    }

    [Fact]
    public void AnAbortAStopAndTheEndNobodyWatchesCostNoAllocationAndAReadSeesThemAll()
    {
        // A storm of a thousand aborts records three changes per request: none of them may feed the GC.
        var ledger = NewLedger();
        var warm = Start(ledger, Entry("warm"))!;
        Change(warm, DateTimeOffset.UnixEpoch); // the first calls may JIT
        _ = warm.Stop;
        var tracked = Start(ledger, Entry("aborted"))!;
        tracked.AddBytesWritten(7);
        var at = DateTimeOffset.UnixEpoch.AddSeconds(1);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Change(tracked, at);
        var stop = tracked.Stop; // what the recording middleware reads at the end
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal((StopReason.ClientAborted, 1.0), stop);
        var entry = (LedgerEntry)ledger.Find("aborted")!;
        Assert.Equal((at, at.AddMilliseconds(1), StopReason.ClientAborted, 7L, true), (entry.AbortObservedAt, entry.StoppedAt, entry.StopReason, entry.BytesWrittenAtAbort, entry.WriteFailed));
        Assert.Equal((RequestOutcome.ClientAborted, 499, at.AddMilliseconds(2)), (entry.Outcome, entry.StatusCode, entry.EndedAt));
        Assert.Equal(1, entry.AbortToStopMs);

        static void Change(TrackedRequest tracked, DateTimeOffset at)
        {
            tracked.AbortObserved(at, peer: null, writeFailed: false);
            tracked.AbortObserved(at.AddMilliseconds(5), peer: null, writeFailed: true); // the same abort seen again: only adds the failed write
            tracked.RecordStop(StopReason.ClientAborted, at.AddMilliseconds(1));
            tracked.End(RequestOutcome.ClientAborted, 499, at.AddMilliseconds(2), settled: null);
        }
    }
}
