using Microsoft.Playwright;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright. The tests never run `playwright install`: they use the
/// system's browser, so they need no download. The flags keep it off the network: tests talk only to loopback.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots land here; CI keeps the folder as an artifact.</summary>
    public static string ArtifactDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        // Playwright's assertions wait 5 s by default; on two busy cores a page can be slower than that to show what it will.
        Assertions.SetDefaultExpectTimeout(30_000);
        if (!File.Exists(Executable))
        {
            return; // the tests using this fixture are skipped with the install command
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"],
        });
    }

    /// <summary>A fresh browser context that trusts the test server's self-signed certificate.</summary>
    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        IgnoreHTTPSErrors = true,
        ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
    });

    /// <summary>A fresh context with the sample page open at <paramref name="origin"/>, its ledger feed live.</summary>
    public async Task<BrowserSession> OpenSamplePageAsync(Uri origin)
    {
        var context = await NewContextAsync();
        var page = new SamplePage(await context.NewPageAsync());
        await page.OpenAsync(origin);
        return new BrowserSession(context, page);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

/// <summary>A browser context with the sample page open; disposing it closes the context.</summary>
public sealed record BrowserSession(IBrowserContext Context, SamplePage Page) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Context.DisposeAsync();
}
