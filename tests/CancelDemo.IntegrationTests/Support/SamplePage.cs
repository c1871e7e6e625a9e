using Microsoft.Playwright;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>The sample page, driven the way a person uses it: pick, start, abort, read.</summary>
public sealed class SamplePage(IPage page)
{
    public IPage Page => page;

    public async Task OpenAsync(Uri origin)
    {
        await page.GotoAsync(origin.ToString());
        // Start is enabled once the ledger's event stream is open, so no server event is missed.
        await page.Locator("#sse-state[data-state=open]").WaitForAsync();
        await page.Locator("#start:enabled").WaitForAsync();
    }

    /// <summary>Fills the form and clicks Start; returns the request id the page sent.</summary>
    public async Task<string> StartAsync(string endpoint, string api, int iterations, int stepMs, string? target = null)
    {
        await page.SelectOptionAsync("#endpoint", endpoint);
        await page.SelectOptionAsync("#api", api);
        if (target is not null)
        {
            await page.SelectOptionAsync("#target", target);
        }
        // The page shows only the fields the endpoint reads: a chain down to a query has no loop to set.
        if (await page.IsVisibleAsync("#iterations"))
        {
            await page.FillAsync("#iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.FillAsync("#stepMs", stepMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        await page.ClickAsync("#start");
        var id = page.Locator("#request-id");
        await Assertions.Expect(id).Not.ToHaveTextAsync("-");
        return await id.InnerTextAsync();
    }

    /// <summary>Starts a /chain down to <paramref name="leaf"/>; returns the request id the page sent.</summary>
    public async Task<string> StartChainAsync(string leaf, int hops, string downstreamProtocol, int seconds, int iterations = 50, int stepMs = 200)
    {
        await page.SelectOptionAsync("#endpoint", "/chain");
        await page.FillAsync("#hops", hops.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("#downstreamProtocol", downstreamProtocol);
        await page.SelectOptionAsync("#leaf", leaf);
        if (leaf == "query")
        {
            await page.FillAsync("#seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return await StartAsync("/chain", "fetch", iterations, stepMs);
    }

    public Task AbortAsync() => page.ClickAsync("#abort");

    /// <summary>One lane of the waterfall panel: client, edge, hop-1, ..., database.</summary>
    public ILocator Lane(string name) => page.Locator($"#lanes .lane[data-lane='{name}']");

    public ILocator WaterfallSummary => page.Locator("#waterfall-summary");

    public ILocator ClientResult => page.Locator("#client-result");

    public ILocator ServerOutcome => page.Locator("#server-outcome");

    public ILocator ServerLog => page.Locator("#server-log li");

    /// <summary>
    /// Runs <paramref name="steps"/>; if one fails (a wait that timed out, an assertion), the failure says where the
    /// bytes were: what the page showed, the browser's resource timing of each request, and the server's ledger entry
    /// and log lines for the page's request.
    /// </summary>
    public async Task ExplainingFailuresAsync(CancelDemoServer server, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or Xunit.Sdk.XunitException)
        {
            string state;
            try
            {
                state = await page.EvaluateAsync<string>("""
                    () => JSON.stringify({
                      page: Object.fromEntries(["request-id", "client-received", "client-result", "server-outcome", "sse-state"]
                        .map((id) => [id, `${document.getElementById(id).textContent} ${JSON.stringify(document.getElementById(id).dataset)}`])),
                      resources: performance.getEntriesByType("resource").map((r) => ({ url: r.name, protocol: r.nextHopProtocol,
                        startMs: Math.round(r.startTime), firstByteMs: Math.round(r.responseStart), endMs: Math.round(r.responseEnd), bytes: r.transferSize })),
                    })
                    """);
            }
            catch (PlaywrightException unreadable)
            {
                state = $"(the page could not be read: {unreadable.Message})";
            }
            var id = await page.Locator("#request-id").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 5000 });
            throw new InvalidOperationException($"{e.Message}\nthe page showed: {state}\n{server.Describe(id)}", e);
        }
    }

    /// <summary>
    /// A screenshot in the artifacts; with <paramref name="docsName"/>, a run that writes the docs
    /// (CANCELDEMO_WRITE_DOCS=1) also puts it in docs/ under that name, where the README shows it.
    /// </summary>
    public async Task ScreenshotAsync(string name, string? docsName = null)
    {
        var path = Path.Combine(ChromiumFixture.ArtifactDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (docsName is not null && MeasuredDocs.WritesDocs)
        {
            File.Copy(path, MeasuredDocs.PathOf(docsName), overwrite: true);
        }
    }
}
