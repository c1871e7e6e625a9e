using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>Busy computation must look at the token inside a step, not only between steps.</summary>
public sealed class CpuWorkTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    private const int StepMs = 4000;

    public static TheoryData<Transport> Transports => TransportExtensions.All();

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task CpuWorkStopsWithinOneStepOfTheAbortNotAtTheEndOfTheStep(Transport transport)
    {
        var id = NewId("cpu");
        using var client = server.CreateClient(transport);
        using var cts = new CancellationTokenSource();

        var call = client.SendAsync(Get($"/http1?iterations=3&stepMs={StepMs}&work=cpu", id), cts.Token);
        await server.WaitForEntryAsync(id, e => e.IterationsPlanned == 3);
        await Task.Delay(500); // let the first step get under way before giving up
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(0, entry.IterationsCompleted);
        // Far below the 4 s step: the loop checked the token mid-step.
        Assert.InRange(entry.AbortToStopMs!.Value, 0, StepMs / 4);
        Assert.True(entry.EndedAt - entry.StartedAt < TimeSpan.FromMilliseconds(StepMs), "the request ended before its first step would have");
    }
}
