using System.Net;
using System.Text.RegularExpressions;
using CancelDemo.IntegrationTests.Support;
using static CancelDemo.IntegrationTests.Support.CancelDemoServer;

namespace CancelDemo.IntegrationTests;

/// <summary>The console a user reads, pinned line by line: only times, ports, durations and paths may differ.</summary>
public sealed partial class ConsoleOutputTests
{
    private const string Expected = """
        [T INF] Created a self-signed certificate for localhost; its PEM is STATE/localhost.pem
        [T INF] Now listening on: http://127.0.0.1:PORT
        [T INF] Now listening on: http://127.0.0.1:PORT
        [T INF] Now listening on: https://127.0.0.1:PORT
        [T INF] Application started. Press Ctrl+C to shut down.
        [T INF] Hosting environment: Production
        [T INF] Content root path: CWD
        [T INF] Http1 listening on http://127.0.0.1:PORT/ (Http1)
        [T INF] H2c listening on http://127.0.0.1:PORT/ (Http2)
        [T INF] Https listening on https://127.0.0.1:PORT/ (Http1AndHttp2)
        [T INF] HTTPS uses a self-signed localhost certificate; trust it with: curl --http2 --cacert STATE/localhost.pem https://127.0.0.1:PORT/http2
        [T INF] Working... 0
        [T INF] Working... 1
        [T INF] 200 | Ds | 127.0.0.1 | GET "/http1" HTTP/1.1 | completed | pin-ok
        [T INF] Client has disconnected. Stopping task. 0
        [T INF] 499 | Ds | 127.0.0.1 | GET "/http1" HTTP/1.1 | clientAborted | pin-abort
        [T INF] 400 | Ds | 127.0.0.1 | GET "/http1" HTTP/1.1 | failed | pin-bad
        [T INF] Application is shutting down...
        """;

    [Fact]
    public async Task TheWalkthroughsConsoleOutputIsUnchanged()
    {
        var state = Directory.CreateTempSubdirectory("canceldemo-console-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(stateDirectory: state);
            using var client = server.CreateClient(Transport.Http1);

            using (var completed = await client.SendAsync(Get("/http1?iterations=2&stepMs=50", "pin-ok")).DefaultTimeout())
            {
                Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
            }
            // A long first step, so the abort lands in step 0 whatever the machine's speed.
            using (var cts = new CancellationTokenSource())
            {
                var aborted = client.SendAsync(Get("/http1?iterations=3&stepMs=20000", "pin-abort"), cts.Token);
                await WaitUntilAsync(server, "/requests/pin-abort", "\"outcome\":\"running\"");
                await cts.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => aborted);
                await WaitUntilAsync(server, "/requests/pin-abort", "\"outcome\":\"clientAborted\"");
            }
            using (var bad = await client.SendAsync(Get("/http1?iterations=abc", "pin-bad")).DefaultTimeout())
            {
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            }
            await server.SignalAsync("TERM");
            await server.WaitForExitAsync();

            Assert.Equal(Expected.ReplaceLineEndings("\n"), Normalize(server.Output, state));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>Polls the ledger (its own summary lines are left out of the comparison) until the entry says so.</summary>
    private static async Task WaitUntilAsync(ServerProcess server, string path, string text)
    {
        using var ledger = server.CreateClient(Transport.Http1);
        using var bound = new CancellationTokenSource(TaskTimeouts.Default);
        while (true)
        {
            // 404 until the request has reached the server: on a busy machine the first look can come before it.
            using var response = await ledger.GetAsync(path, bound.Token);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                response.EnsureSuccessStatusCode();
                if ((await response.Content.ReadAsStringAsync(bound.Token)).Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }
            await Task.Delay(50, bound.Token);
        }
    }

    private static string Normalize(string output, string state)
    {
        var lines = output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.Contains("GET \"/requests/", StringComparison.Ordinal))
            .Select(line => line.Replace(state, "STATE", StringComparison.Ordinal))
            .Select(line => Timestamp().Replace(line, "[T "))
            .Select(line => Port().Replace(line, "127.0.0.1:PORT"))
            .Select(line => Duration().Replace(line, "| Ds |"))
            .Select(line => ContentRoot().Replace(line, "Content root path: CWD"));
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d\.\d\d\d ")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex Port();

    [GeneratedRegex(@"\| \d+\.\d{6}s \|")]
    private static partial Regex Duration();

    [GeneratedRegex(@"Content root path: .*$")]
    private static partial Regex ContentRoot();
}
