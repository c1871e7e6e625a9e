using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>Busy computation must look at the token inside a step, not only between steps.</summary>
public sealed class CpuWorkTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    private const int StepMs = 1500;

    public static TheoryData<Transport> Transports => TestData.Transports();

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task CpuWorkStopsWithinOneStepOfTheAbortNotAtTheEndOfTheStep(Transport transport)
    {
        var id = NewId("cpu");
        using var client = server.CreateClient(transport);

        // The first step has ended and the second has begun: the cancel lands inside a busy step.
        var entry = await server.CancelMidRequestAsync(client, $"/http1?iterations=3&stepMs={StepMs}&work=cpu", id, e => e.IterationsCompleted >= 1);

        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(1, entry.IterationsCompleted);
        // Far below the step: the loop checked the token mid-step.
        Assert.InRange(entry.AbortToStopMs!.Value, 0, StepMs / 4);
        // Without a look inside the step, the second step would run to its end: 2 × StepMs after the start.
        // (The cancel itself lands somewhere inside the second step, later on a busy machine.)
        Assert.True(entry.EndedAt - entry.StartedAt < TimeSpan.FromMilliseconds(2 * StepMs), "the request ended before its second step would have ended");
    }
}
