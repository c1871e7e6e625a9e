using System.Net.Http.Json;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>A cancelled HttpClient request: the server must notice, record 499 and stop the work.</summary>
public sealed class ClientCancellationTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    private const int StepMs = 200;

    public static TheoryData<Transport> Transports => TestData.Transports();

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task CancelAfterTwoIterationsIsRecordedAsClientAbortAndStopsTheWork(Transport transport)
    {
        const int completedBeforeCancel = 2;
        var id = NewId("cancel");
        using var client = server.CreateClient(transport);

        var entry = await server.CancelMidRequestAsync(client, $"/http1?iterations=50&stepMs={StepMs}", id, e => e.IterationsCompleted >= completedBeforeCancel);

        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(499, entry.StatusCode);
        Assert.Equal(transport.WireName(), entry.Protocol);
        // The step in progress may complete, and one more on a busy machine (a CI run once took 750+ ms from a
        // step's end to the abort being noticed); the check below proves the loop then stopped for good.
        Assert.InRange(entry.IterationsCompleted, completedBeforeCancel, completedBeforeCancel + 2);
        Assert.NotNull(entry.AbortObservedAt);
        Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);

        // Let three steps' worth of time pass: a handler still running would count more iterations.
        await Task.Delay(3 * StepMs);
        Assert.Equal(entry.IterationsCompleted, server.Ledger.Find(id)!.IterationsCompleted);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task UninterruptedRequestCompletesWith200AndTheSeedBody(Transport transport)
    {
        var id = NewId("complete");
        using var client = server.CreateClient(transport);

        using var response = await client.SendAsync(Get("/http2?iterations=3&stepMs=20", id)).DefaultTimeout();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, Assert.Single(response.Headers.GetValues(RequestIds.Header)));
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("Task completed successfully", body.GetProperty("status").GetString());
        Assert.Equal(3, body.GetProperty("iterationsCompleted").GetInt32());
        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.Completed, entry.Outcome);
        Assert.Equal(200, entry.StatusCode);
        Assert.Equal(3, entry.IterationsCompleted);
        Assert.Null(entry.AbortObservedAt);
        Assert.Equal(transport.WireName(), entry.Protocol);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ServerTimeoutAnswers504AndIsNotTakenForAClientAbort(Transport transport)
    {
        var id = NewId("timeout");
        using var client = server.CreateClient(transport);

        using var response = await client.SendAsync(Get("/http1?iterations=50&stepMs=100&timeoutMs=250", id)).DefaultTimeout();

        Assert.Equal(System.Net.HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.TimedOut, entry.Outcome);
        Assert.Equal(504, entry.StatusCode);
        Assert.Null(entry.AbortObservedAt);
        Assert.NotNull(entry.StoppedAt);
        Assert.InRange(entry.IterationsCompleted, 1, 3);
    }
}
