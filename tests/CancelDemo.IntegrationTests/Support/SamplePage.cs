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
        await page.FillAsync("#iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#stepMs", stepMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
        await page.FillAsync("#seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await StartAsync("/chain", "fetch", iterations, stepMs);
    }

    public Task AbortAsync() => page.ClickAsync("#abort");

    /// <summary>One lane of the waterfall panel: client, edge, hop-1, ..., database.</summary>
    public ILocator Lane(string name) => page.Locator($"#lanes .lane[data-lane='{name}']");

    public ILocator WaterfallSummary => page.Locator("#waterfall-summary");

    public ILocator ClientResult => page.Locator("#client-result");

    public ILocator ServerOutcome => page.Locator("#server-outcome");

    public ILocator ServerLog => page.Locator("#server-log li");

    public Task ScreenshotAsync(string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ChromiumFixture.ArtifactDirectory, $"{name}.png"), FullPage = true });
}
