using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Microsoft.Playwright;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// What Chromium does when a response is aborted after its headers arrived (/stream, chunked, 10 s).
/// Measured with Chromium 156 (several runs per case): on HTTP/1.1 it does not drain the body to keep the
/// connection; it closes the socket, and the server sees the abort about 50 ms after the click. On HTTP/2 it
/// sends RST_STREAM, about as fast, and the connection lives on. The producer stops after at most one
/// more chunk either way.
/// </summary>
public sealed class ChromiumAbortAfterHeadersTests(CancelDemoServer server, ChromiumFixture chromium)
    : IClassFixture<CancelDemoServer>, IClassFixture<ChromiumFixture>
{
    [RequiresTheory("chromium")]
    [InlineData("fetch", Transport.Http1)]
    [InlineData("fetch", Transport.Https)]
    [InlineData("xhr", Transport.Http1)]
    [InlineData("xhr", Transport.Https)]
    public async Task AbortAfterHeadersStopsTheStreamAtOnceWithoutDrainingAndTheConnectionFollowsTheProtocol(string api, Transport transport)
    {
        await using var session = await chromium.OpenSamplePageAsync(server.BaseAddress(transport));
        var page = session.Page;

        await page.ExplainingFailuresAsync(server, async () =>
        {
            var id = await page.StartAsync("/stream", api, iterations: 100, stepMs: 100);
            await page.Page.Locator("#client-received[data-bytes]").WaitForAsync(); // headers and body have arrived
            var atAbort = await server.WaitForEntryAsync(id, e => e.IterationsCompleted >= 3);
            var clicked = DateTimeOffset.UtcNow;
            await page.AbortAsync();

            var entry = await server.WaitForEndAsync(id);
            Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome); // a drain would have run the stream on
            Assert.InRange((entry.AbortObservedAt!.Value - clicked).TotalMilliseconds, -50, 2000); // measured ~50 ms
            // Measured 0-1 chunk at 100 ms; bounded by the 2 s above for a busy machine. A drain would run ~70 more.
            Assert.InRange(entry.IterationsCompleted - atAbort.IterationsCompleted, 0, 20);
            Assert.True(entry.EndedAt - entry.StartedAt < TimeSpan.FromSeconds(8), "the 10 s stream was cut short");

            await Assertions.Expect(page.ServerOutcome).ToHaveAttributeAsync("data-outcome", "clientAborted");
            var nextId = await page.StartAsync("/http1", api, iterations: 1, stepMs: 1);
            var next = await server.WaitForEndAsync(nextId);
            // HTTP/1.1: the aborted request's socket was closed. HTTP/2: only the stream was reset.
            Assert.Equal(transport == Transport.Https, next.ConnectionId == entry.ConnectionId);
            ClientMatrix.Record("Chromium", transport == Transport.Http1 ? "HTTP/1.1" : "HTTP/2 over TLS",
                $"{(api == "xhr" ? "xhr.abort()" : "fetch + AbortController")} after the headers (/stream)", entry, clicked,
                $"{entry.IterationsCompleted - atAbort.IterationsCompleted} chunks", next.ConnectionId == entry.ConnectionId ? "kept" : "closed");
        });
        await page.ScreenshotAsync($"stream-abort-{api}-{transport}");
    }
}
