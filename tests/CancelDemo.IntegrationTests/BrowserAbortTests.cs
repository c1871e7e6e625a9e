using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CancelDemo.IntegrationTests;

/// <summary>The seed's browser experiment in real Chromium: xhr.abort() and AbortController, HTTP/1.1 and HTTP/2.</summary>
public sealed class BrowserAbortTests(CancelDemoServer server, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<CancelDemoServer>, IClassFixture<ChromiumFixture>
{
    private const int StepMs = 200;

    [RequiresTheory("chromium")]
    [InlineData("xhr", Transport.Http1)]
    [InlineData("xhr", Transport.Https)]
    [InlineData("fetch", Transport.Http1)]
    [InlineData("fetch", Transport.Https)]
    public async Task AbortInThePageIsSeenByTheServerAndShownLive(string api, Transport transport)
    {
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(transport));
        var page = session.Page;

        await page.ExplainingFailuresAsync(server, async () =>
        {
            var endpoint = transport == Transport.Http1 ? "/http1" : "/http2";
            var id = await page.StartAsync(endpoint, api, iterations: 50, StepMs);
            await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 2);
            var clicked = DateTimeOffset.UtcNow;
            await page.AbortAsync();

            var entry = await server.WaitForEndAsync(id);
            Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
            Assert.Equal(transport.WireName(), entry.Protocol);
            Assert.InRange(entry.IterationsCompleted, 2, 6); // as for Firefox: stopped far from the 50 planned, with room for a busy machine
            ClientMatrix.Record("Chromium", transport == Transport.Http1 ? "HTTP/1.1" : "HTTP/2 over TLS", api == "xhr" ? "xhr.abort()" : "fetch + AbortController",
                entry, clicked, ClientMatrix.IterationsAfter(entry, clicked, StepMs));
            Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);
            output.WriteLine($"{api} {transport}: abort-to-stop {entry.AbortToStopMs:0.00} ms");
            // What the person sees: their abort, and the server stopping, live from the ledger.
            await Assertions.Expect(page.ClientResult).ToHaveAttributeAsync("data-state", "aborted");
            await Assertions.Expect(page.ServerOutcome).ToHaveAttributeAsync("data-outcome", "clientAborted");
            await Assertions.Expect(page.ServerOutcome).ToContainTextAsync($"499 clientAborted over {transport.WireName()}");
            await Assertions.Expect(page.ServerLog.Last).ToHaveTextAsync($"Client has disconnected. Stopping task. {entry.IterationsCompleted}");
        });
        await page.ScreenshotAsync($"abort-{api}-{transport}", api == "xhr" && transport == Transport.Https ? "sample-page-abort.png" : null);
    }

    [RequiresFact("chromium")]
    public async Task PageOnTheHttpOriginCallsTheHttpsOriginOverHttp2ThroughCors()
    {
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(Transport.Http1));
        var page = session.Page;

        var target = server.BaseAddress(Transport.Https).ToString().TrimEnd('/');
        var id = await page.StartAsync("/http2", "xhr", iterations: 50, StepMs, target);
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);
        await page.AbortAsync();

        var entry = await server.WaitForEndAsync(id);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal("HTTP/2", entry.Protocol);
        await Assertions.Expect(page.ServerOutcome).ToHaveAttributeAsync("data-outcome", "clientAborted");
    }

    [RequiresTheory("chromium")]
    [InlineData(Transport.Http1)]
    [InlineData(Transport.Https)]
    public async Task ClosingTheTabMidRequestEndsTheWork(Transport transport)
    {
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(transport));
        var page = session.Page;

        var id = await page.StartAsync("/http1", "fetch", iterations: 50, StepMs);
        await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 1);
        var closed = DateTimeOffset.UtcNow;
        await page.Page.CloseAsync();

        var entry = await server.WaitForEndAsync(id);
        ClientMatrix.Record("Chromium", transport == Transport.Http1 ? "HTTP/1.1" : "HTTP/2 over TLS", "closing the tab", entry, closed,
            ClientMatrix.IterationsAfter(entry, closed, StepMs));
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(transport.WireName(), entry.Protocol);
        Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);
        output.WriteLine($"tab close {transport}: abort-to-stop {entry.AbortToStopMs:0.00} ms");
    }
}
