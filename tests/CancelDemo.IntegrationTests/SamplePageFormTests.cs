using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Playwright;

namespace CancelDemo.IntegrationTests;

/// <summary>The sample page shows the fields each endpoint reads, a problem's whole text, and what a chain's edge stopped.</summary>
public sealed class SamplePageFormTests(CancelDemoServer server, ChromiumFixture chromium) : IClassFixture<CancelDemoServer>, IClassFixture<ChromiumFixture>
{
    [RequiresFact("chromium")]
    public async Task EachEndpointShowsOnlyTheFieldsItReads()
    {
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(Transport.Http1));
        var page = session.Page.Page;

        await page.SelectOptionAsync("#endpoint", "/query");
        await AssertVisibleAsync(page, ["#seconds", "#kind"], ["#iterations", "#stepMs", "#hops", "#downstreamProtocol", "#leaf"]);
        await page.SelectOptionAsync("#endpoint", "/chain");
        await page.SelectOptionAsync("#leaf", "loop");
        await AssertVisibleAsync(page, ["#hops", "#downstreamProtocol", "#leaf", "#iterations", "#stepMs"], ["#seconds", "#kind"]);
        await page.SelectOptionAsync("#leaf", "query");
        await AssertVisibleAsync(page, ["#hops", "#downstreamProtocol", "#leaf", "#seconds", "#kind"], ["#iterations", "#stepMs"]);
        await page.SelectOptionAsync("#endpoint", "/http1");
        await AssertVisibleAsync(page, ["#iterations", "#stepMs"], ["#hops", "#downstreamProtocol", "#leaf", "#seconds", "#kind"]);
    }

    [RequiresTheory("chromium")]
    [InlineData("xhr")]
    [InlineData("fetch")]
    public async Task AProblemIsShownWholeWithItsHint(string api)
    {
        // This server has no database: /query answers 503 with how to start one.
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(Transport.Http1));
        var page = session.Page;

        await page.Page.SelectOptionAsync("#endpoint", "/query");
        await page.Page.SelectOptionAsync("#api", api);
        await page.Page.ClickAsync("#start");

        await Assertions.Expect(page.ClientResult).ToContainTextAsync("Status 503: No database configured: Set ConnectionStrings:Postgres");
        await Assertions.Expect(page.ClientResult).ToContainTextAsync("samples/postgres/run.sh");
    }

    [RequiresFact("chromium")]
    public async Task AnAbortedChainsEdgeSaysItCancelledTheCallNotAStep()
    {
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(Transport.Http1));
        var page = session.Page;

        var id = await page.StartChainAsync("loop", hops: 1, "h2c", seconds: 10, iterations: 100, stepMs: 100);
        await server.WaitForEntryAsync(Server.Downstream.HopCaller.ChildId(id), e => e.IterationsCompleted >= 1);
        await page.AbortAsync();
        await server.WaitForEndAsync(id);

        await Assertions.Expect(page.ServerLog.Last).ToHaveTextAsync("Client has disconnected. Cancelled the call to the next hop.");
        Assert.Equal(RequestOutcome.ClientAborted, server.Ledger.Find(id)!.Outcome);
    }

    [RequiresFact("chromium")]
    public async Task AFailedWaitSaysWhatThePageAndTheServerSawOfTheRequest()
    {
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(Transport.Http1));
        var page = session.Page;
        string? id = null;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => page.ExplainingFailuresAsync(server, async () =>
        {
            id = await page.StartAsync("/http1", "fetch", iterations: 1, stepMs: 1);
            await server.WaitForEndAsync(id);
            // A wait that cannot succeed: the request completed, it was never aborted.
            await Assertions.Expect(page.ServerOutcome).ToHaveAttributeAsync("data-outcome", "clientAborted", new() { Timeout = 1000 });
        }));

        Assert.Contains("\"resources\":[", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"/http1?", failure.Message, StringComparison.Ordinal); // the request's own timing
        Assert.Contains($"server ledger {id}: LedgerEntry {{", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"server log: [Information] 200 |", failure.Message, StringComparison.Ordinal);
    }

    private static async Task AssertVisibleAsync(IPage page, string[] visible, string[] hidden)
    {
        foreach (var field in visible)
        {
            await Assertions.Expect(page.Locator(field)).ToBeVisibleAsync();
        }
        foreach (var field in hidden)
        {
            await Assertions.Expect(page.Locator(field)).ToBeHiddenAsync();
        }
    }
}
