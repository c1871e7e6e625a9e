using System.Text.Json;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>The probe as a user runs it: a process with options, a table, JSON and an exit code.</summary>
public sealed class ProbeCliTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    [Fact]
    public async Task ProbePrintsItsTableAndJsonAndExitsZeroWhenTheServerNoticedEveryAbort()
    {
        var json = Path.Combine(Path.GetTempPath(), $"probe-{Guid.NewGuid():N}.json");
        var (exit, output) = await RunProbeAsync(
            "stream", "--protocol", "h2c", "--base", server.BaseAddress(Transport.H2c).ToString(),
            "--ledger", server.BaseAddress(Transport.Http1).ToString(), "--json", json);

        Assert.True(exit == 0, output);
        Assert.Contains("server noticed?", output, StringComparison.Ordinal);
        Assert.Matches(@"stream\s+│\s+h2c\s+│\s+yes\s+│\s+clientAborted", output);
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var row = Assert.Single(results.RootElement.EnumerateArray());
        Assert.Equal("stream", row.GetProperty("scenario").GetString());
        Assert.True(row.GetProperty("serverNoticed").GetBoolean());
        Assert.Equal("HTTP/2", row.GetProperty("serverProtocol").GetString());
        Assert.True(row.GetProperty("connectionReused").GetBoolean());
        File.Delete(json);
    }

    [Fact]
    public async Task ProbeExitsTwoWhenTheLedgerHasNoAbortForTheRequest()
    {
        // Requests go to one server, the ledger is read from another: that ledger never saw the abort.
        await using var elsewhere = new CancelDemoServer();
        var (exit, output) = await RunProbeAsync(
            "download-wait", "--base", server.BaseAddress(Transport.Http1).ToString(),
            "--ledger", elsewhere.BaseAddress(Transport.Http1).ToString(), "--ledger-wait", "2s");

        Assert.True(exit == 2, output);
        Assert.Contains("NO", output, StringComparison.Ordinal);
        Assert.Contains("did not notice 1 abort", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeWithRepeatPrintsLatencyPercentilesForEveryRun()
    {
        var (exit, output) = await RunProbeAsync(
            "stream", "--protocol", "h2c", "--repeat", "3", "--base", server.BaseAddress(Transport.H2c).ToString(),
            "--ledger", server.BaseAddress(Transport.Http1).ToString());

        Assert.True(exit == 0, output);
        Assert.Contains("Latency percentiles (ms)", output, StringComparison.Ordinal);
        Assert.Matches(@"stream\s+│\s+h2c\s+│\s+3\s+│\s+3\s+│", output); // 3 runs, 3 noticed
    }

    [Theory]
    [InlineData(new double[] { 5 }, 50, 5)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 50, 5)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 90, 9)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 99, 10)]
    public void PercentilesAreNearestRank(double[] sorted, int percent, double expected)
    {
        Assert.Equal(expected, ResultsReport.Percentile(sorted, percent));
    }

    [Theory]
    [InlineData("--repeat", "0", "'0' is not a repeat count")]
    [InlineData("--cancel-after", "soon", "'soon' is not a duration")]
    [InlineData("--protocol", "3", "'3' is not a protocol")]
    public async Task ProbeRejectsBadOptionsWithAClearMessage(string option, string value, string message)
    {
        var (exit, output) = await RunProbeAsync("token", option, value);

        Assert.Equal(1, exit);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Options:", output, StringComparison.Ordinal); // the line that matters, not the whole help
        Assert.Contains("--help", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUntrustedCertificateIsExplainedWithTheOptionThatTrustsIt()
    {
        var (exit, output) = await RunProbeAsync("token", "--protocol", "2", "--base", server.BaseAddress(Transport.Https).ToString(),
            "--ledger", server.BaseAddress(Transport.Http1).ToString());

        Assert.True(exit == 1, output);
        Assert.Contains("TLS certificate is not trusted", output, StringComparison.Ordinal);
        Assert.Contains("--cacert", output, StringComparison.Ordinal);
        Assert.DoesNotContain("see inner exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChainTakesZeroHopsAsChainDoes()
    {
        var (exit, output) = await RunProbeAsync("chain", "--hops", "0", "--protocol", "h2c", "--cancel-after", "300ms",
            "--base", server.BaseAddress(Transport.H2c).ToString(), "--ledger", server.BaseAddress(Transport.Http1).ToString());

        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task AuditTakesEveryCallableGetOfTheOpenApiDocumentAndCancelDemoStopsOnEach()
    {
        var json = Path.Combine(Path.GetTempPath(), $"audit-openapi-{Guid.NewGuid():N}.json");
        var baseAddress = server.BaseAddress(Transport.Http1);
        var (exit, output) = await RunProbeAsync("audit", baseAddress.ToString(), "--openapi", new Uri(baseAddress, "swagger/v1/swagger.json").ToString(), "--json", json);

        Assert.True(exit == 0, output); // every endpoint stops, or answered before the cancel
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var verdicts = results.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("path").GetString()!, r => r.GetProperty("verdict").GetString());
        foreach (var loop in new[] { "/http1", "/http2", "/download", "/stream", "/chain" })
        {
            Assert.Equal("stops", verdicts[loop]);
        }
        Assert.Equal("answered", verdicts["/healthz"]); // fast: nothing to cancel
        Assert.DoesNotContain(verdicts.Keys, p => p.StartsWith("/requests", StringComparison.Ordinal)); // the ledger's own
        File.Delete(json);
    }

    [Fact]
    public async Task ProbeHelpExplainsEveryOption()
    {
        var (exit, output) = await RunProbeAsync("--help");

        Assert.Equal(0, exit);
        foreach (var option in new[] { "--base", "--ledger", "--protocol", "--cancel-after", "--json", "--cacert", "--insecure", "--ledger-wait" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Runs the probe with a 10 s ledger wait (its default is 30 s) inside a 60 s bound, so that a request the
    /// ledger does not show ending is reported by the probe itself, with its output, instead of the test's bound
    /// killing it silently.
    /// </summary>
    private static Task<(int ExitCode, string Output)> RunProbeAsync(params string[] args) =>
        args[0] == "audit"
            ? ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "CancelDemo.Probe.dll"), .. args], timeout: TimeSpan.FromSeconds(120))
            : ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "CancelDemo.Probe.dll"), .. args,
                .. args.Contains("--ledger-wait") ? Array.Empty<string>() : ["--ledger-wait", "10s"]], timeout: TimeSpan.FromSeconds(60));
}
