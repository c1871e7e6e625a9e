using System.Globalization;
using System.Text.Json;
using CancelDemo.IntegrationTests.Support;
using CancelDemo.Server.Ledger;
using Xunit.Abstractions;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// The browser experiments in Firefox, the second engine: Debian's firefox-esr driven over WebDriver BiDi by
/// puppeteer-core (tests/firefox/firefox.mjs, a process per case), through the sample page's own form, with the
/// same cases and the same assertions as Chromium.
/// </summary>
[Collection(Name)]
public sealed class FirefoxTests(CancelDemoServer server, ITestOutputHelper output) : IClassFixture<CancelDemoServer>
{
    /// <summary>
    /// The Firefox cases run on their own, not beside another test collection. In a full run, sharing two cores
    /// with the rest, Firefox once showed no byte of a /stream for 30 s, and in another its click → noticed times
    /// for /stream grew from under 0.1 s to 0.9 s; the same cases alone passed 20 times out of 20.
    /// </summary>
    public const string Name = "Firefox, alone";

    private const int StepMs = 200;

    [RequiresTheory("node", "firefox-esr", "puppeteer-core")]
    [InlineData("xhr", Transport.Http1)]
    [InlineData("xhr", Transport.Https)]
    [InlineData("fetch", Transport.Http1)]
    [InlineData("fetch", Transport.Https)]
    public async Task AbortInThePageIsSeenByTheServerAndShownLive(string api, Transport transport)
    {
        var endpoint = transport == Transport.Http1 ? "/http1" : "/http2";
        var result = await FirefoxAsync("abort", Origin(transport), endpoint, api, "50", $"{StepMs}", "2", Screenshot($"firefox-abort-{api}-{transport}"));

        var entry = await server.WaitForEndAsync(result.GetProperty("requestId").GetString()!);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(transport.WireName(), entry.Protocol);
        Assert.InRange(entry.IterationsCompleted, 2, 6);
        Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);
        Assert.Equal("clientAborted", result.GetProperty("serverOutcome").GetString()); // what the person saw on the page
        var clicked = Time(result, "clickedAt");
        output.WriteLine($"Firefox {api} {transport}: click → noticed {(entry.AbortObservedAt!.Value - clicked).TotalMilliseconds:0.0} ms, abort-to-stop {entry.AbortToStopMs:0.00} ms");
        ClientMatrix.Record("Firefox", Protocol(transport), api == "xhr" ? "xhr.abort()" : "fetch + AbortController", entry, clicked,
            ClientMatrix.IterationsAfter(entry, clicked, StepMs));
    }

    [RequiresTheory("node", "firefox-esr", "puppeteer-core")]
    [InlineData(Transport.Http1)]
    [InlineData(Transport.Https)]
    public async Task ClosingTheTabMidRequestEndsTheWork(Transport transport)
    {
        var result = await FirefoxAsync("close-tab", Origin(transport), "50", $"{StepMs}", "1");

        var entry = await server.WaitForEndAsync(result.GetProperty("requestId").GetString()!);
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome);
        Assert.Equal(transport.WireName(), entry.Protocol);
        Assert.InRange(entry.AbortToStopMs!.Value, 0, 1000);
        var closed = Time(result, "closedAt");
        ClientMatrix.Record("Firefox", Protocol(transport), "closing the tab", entry, closed, ClientMatrix.IterationsAfter(entry, closed, StepMs));
    }

    [RequiresTheory("node", "firefox-esr", "puppeteer-core")]
    [InlineData("fetch", Transport.Http1)]
    [InlineData("fetch", Transport.Https)]
    [InlineData("xhr", Transport.Http1)]
    [InlineData("xhr", Transport.Https)]
    public async Task AbortAfterHeadersStopsTheStreamWithoutDrainingAndTheConnectionFollowsTheProtocol(string api, Transport transport)
    {
        var result = await FirefoxAsync("stream-abort", Origin(transport), api, Screenshot($"firefox-stream-abort-{api}-{transport}"));

        var entry = await server.WaitForEndAsync(result.GetProperty("requestId").GetString()!);
        var clicked = Time(result, "clickedAt");
        Assert.Equal(RequestOutcome.ClientAborted, entry.Outcome); // a drain would have run the 10 s stream on
        Assert.InRange((entry.AbortObservedAt!.Value - clicked).TotalMilliseconds, -50, 2000);
        Assert.True(entry.EndedAt - entry.StartedAt < TimeSpan.FromSeconds(8), "the 10 s stream was cut short");
        var next = await server.WaitForEndAsync(result.GetProperty("nextRequestId").GetString()!);
        // HTTP/1.1: the aborted request's socket was closed. HTTP/2: only the stream was reset.
        var kept = next.ConnectionId == entry.ConnectionId;
        Assert.Equal(transport == Transport.Https, kept);
        var chunksAfter = Math.Max(0, entry.IterationsCompleted - (result.GetProperty("bytesAtAbort").GetInt32() / 1024));
        ClientMatrix.Record("Firefox", Protocol(transport), $"{(api == "xhr" ? "xhr.abort()" : "fetch + AbortController")} after the headers (/stream)",
            entry, clicked, $"{chunksAfter} chunks", kept ? "kept" : "closed");
    }

    private string Origin(Transport transport) => server.BaseAddress(transport).ToString();

    private static string Screenshot(string name) => Path.Combine(ChromiumFixture.ArtifactDirectory, $"{name}.png");

    private static string Protocol(Transport transport) => transport == Transport.Http1 ? "HTTP/1.1" : "HTTP/2 over TLS";

    private static DateTimeOffset Time(JsonElement result, string name) =>
        DateTimeOffset.Parse(result.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs one command of the Firefox driver (a browser of its own each time) and returns its JSON line. When it fails,
    /// the message says where the bytes were: the driver's step and what the page showed (with the browser's resource
    /// timing), and for each request the page sent, the server's ledger entry and log lines.
    /// </summary>
    private async Task<JsonElement> FirefoxAsync(params string[] arguments)
    {
        var (exit, text) = await ChildProcess.RunAsync("node", [RepositoryFiles.Path("tests", "firefox", "firefox.mjs"), .. arguments], timeout: TimeSpan.FromSeconds(150));
        Assert.True(exit == 0, $"firefox.mjs {string.Join(' ', arguments)} exited {exit}: {text}\n{ServerSide(text)}");
        return JsonDocument.Parse(text.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
    }

    /// <summary>What the server saw of each sample-page request named in <paramref name="driverOutput"/>.</summary>
    private string ServerSide(string driverOutput)
    {
        var ids = System.Text.RegularExpressions.Regex.Matches(driverOutput, @"page-[a-z0-9]+-[a-z0-9]+").Select(m => m.Value).Distinct();
        return string.Concat(ids.Select(server.Describe));
    }
}

[CollectionDefinition(FirefoxTests.Name, DisableParallelization = true)]
public sealed class FirefoxAloneDefinition;
