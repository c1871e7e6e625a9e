using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Playwright;

namespace CancelDemo.IntegrationTests;

/// <summary>The sample page's waterfall: a chain aborted in the browser, live, one lane per process down to the database.</summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class WaterfallPageTests(PostgresCluster postgres, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [RequiresFact("chromium", "postgresql", "pgbouncer")]
    public async Task AbortedChainShowsEveryHopAndTheDatabaseStopping()
    {
        // One process: the chain's next hop is this server's own h2c listener, so every lane is in its live feed.
        await using var server = CancelDemoServer.With(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres.Direct });
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(Transport.Http1));
        var page = session.Page;

        var id = await page.StartChainAsync("query", hops: 1, "h2c", seconds: 30);
        await postgres.WaitForAsync(CancelDemo.Server.Downstream.HopCaller.ChildId(id), b => b is { IsActive: true });
        await Assertions.Expect(page.Lane("database")).ToBeVisibleAsync();
        await page.AbortAsync();

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        await Assertions.Expect(page.WaterfallSummary).ToHaveAttributeAsync("data-state", "stopped");
        foreach (var lane in new[] { "edge", "hop-1", "database" })
        {
            await Assertions.Expect(page.Lane(lane)).ToHaveAttributeAsync("data-stopped-ms", new System.Text.RegularExpressions.Regex(@"^-?\d+\.\d$"));
        }
        await Assertions.Expect(page.Lane("database")).ToContainTextAsync("cancelled (57014)");
        await Assertions.Expect(page.Lane("hop-1")).ToContainTextAsync("HTTP/2 clientAborted");
        await page.ScreenshotAsync("waterfall-chain-query", "sample-page-waterfall.png");
    }
}
