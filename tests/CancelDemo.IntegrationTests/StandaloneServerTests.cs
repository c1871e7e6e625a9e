using System.Net;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>The built server works wherever it is started from, and keeps its TLS state private.</summary>
public sealed class StandaloneServerTests
{
    [Fact]
    public async Task ServerStartedFromAnotherDirectoryServesTheSamplePageWithoutWarnings()
    {
        var elsewhere = Directory.CreateTempSubdirectory("canceldemo-cwd-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(workingDirectory: elsewhere);
            using var client = server.CreateClient(Transport.Http1);

            using var page = await client.GetAsync("/").DefaultTimeout();
            using var script = await client.GetAsync("/app.js").DefaultTimeout();

            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<title>CancelDemo", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.DoesNotContain(" WRN]", server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(" ERR]", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    /// <summary>
    /// Each row: the settings, and every line the server must print for them (after the first line). Nothing else may
    /// be printed: no stack trace, no log line, exit code 1.
    /// </summary>
    public static TheoryData<string[], string[]> BadSettings() => new()
    {
        { ["--Ledger:Capacity=abc"], ["Ledger:Capacity is 'abc': it must be a whole number."] },
        { ["--ConsoleLog:QueueSize=lots"], ["ConsoleLog:QueueSize is 'lots': it must be a whole number."] },
        { ["--DeadPeer:Http2PingDelay=banana"], ["DeadPeer:Http2PingDelay is 'banana': it must be a time span written hh:mm:ss (00:00:10 is ten seconds)."] },
        { ["--DeadPeer:Enabled=maybe"], ["DeadPeer:Enabled is 'maybe': it must be true or false."] },
        { ["--Serilog:MinimumLevel:Default=Loud"], ["Serilog:MinimumLevel:Default is 'Loud': it must be one of Verbose, Debug, Information, Warning, Error, Fatal."] },
        { ["--Kestrel:Endpoints:Http1:Url=localhost:8080"], ["Kestrel:Endpoints:Http1:Url is 'localhost:8080': it must be an http:// or https:// URL with a host and port, e.g. http://localhost:8080."] },
        { ["--Ledger:Capacity=0"], ["Ledger:Capacity must be between 1 and 100000 (it is 0)."] },
        { ["--Ledger:Capcity=5"], ["Ledger:Capcity is not a setting; did you mean Ledger:Capacity?"] },
        { ["--DeadPeer:SilenceTimout=1"], ["DeadPeer:SilenceTimout is not a setting; did you mean DeadPeer:SilenceTimeout?"] },
        { ["--DeadPeer:TcpUserTimeout=00:10:00"], ["DeadPeer:TcpUserTimeout is no longer a setting: TCP_USER_TIMEOUT also cut off live clients that only stopped reading; use DeadPeer:SilenceTimeout."] },
        { ["--Downstream:BaseUrl=ftp://example"], ["Downstream:BaseUrl must be an absolute http:// or https:// URL (it is 'ftp://example')."] },
        { ["--OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4317"], ["OTEL_EXPORTER_OTLP_ENDPOINT is 'localhost:4317': it must be an http:// or https:// URL, e.g. http://localhost:4317."] },
        { ["--OTEL_EXPORTER_OTLP_PROTOCOL=http/json"], ["OTEL_EXPORTER_OTLP_PROTOCOL is 'http/json': it must be one of grpc, http/protobuf."] },
        { ["--Telemetry:AspNetCoreTags=yes"], ["Telemetry:AspNetCoreTags is 'yes': it must be true or false."] },
        { ["--Telemetry:AspNetCoreTag=true"], ["Telemetry:AspNetCoreTag is not a setting; did you mean Telemetry:AspNetCoreTags?"] },
        {
            // Every problem in every section, at once.
            ["--ConsoleLog:QueueSize=0", "--Transport:IOQueueCount=99", "--DeadPeer:Http2PingDelay=00:00:00", "--DeadPeer:SilenceTimeout=00:00:05", "--Ledger:Capacity=abc"],
            [
                "Ledger:Capacity is 'abc': it must be a whole number.",
                "ConsoleLog:QueueSize must be between 1 and 1000000 (it is 0).",
                "DeadPeer:Http2PingDelay must be whole seconds from 00:00:01 to 01:00:00 (it is 00:00:00).",
                "DeadPeer:SilenceTimeout (00:00:05) must be longer than DeadPeer:TcpKeepAliveIdle (00:00:10), or an idle dead peer is never probed before the bound.",
                "Transport:IOQueueCount must be between 0 (the thread pool directly) and 64 (it is 99).",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task EveryBadSettingIsOneClearLineAllAtOnceAndExitCode1(string[] settings, string[] expected)
    {
        var (exit, output) = await ChildProcess.RunAsync("dotnet", [ServerProcess.Dll, .. settings, "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
            "--Kestrel:Endpoints:H2c:Url=http://127.0.0.1:0", $"--Tls:StateDirectory={CancelDemoServer.StateDirectory}",
            .. settings.Any(s => s.StartsWith("--Kestrel:Endpoints:Http1:", StringComparison.Ordinal)) ? Array.Empty<string>() : ["--Kestrel:Endpoints:Http1:Url=http://127.0.0.1:0"]]);

        Assert.Equal(1, exit);
        var lines = output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["CancelDemo cannot start: bad configuration.", .. expected.Select(e => "  " + e)], lines);
    }

    [Fact]
    public async Task AListenerWhoseAddressIsTakenIsNamedWithTheSettingThatMovesIt()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, output) = await ChildProcess.RunAsync("dotnet", [ServerProcess.Dll, $"--Kestrel:Endpoints:H2c:Url=http://127.0.0.1:{port}",
            "--Kestrel:Endpoints:Http1:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0", $"--Tls:StateDirectory={CancelDemoServer.StateDirectory}"]);

        Assert.Equal(1, exit);
        var lines = output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('[')).ToList();
        Assert.Equal("CancelDemo cannot listen.", lines[0]);
        Assert.Equal($"  H2c listener (http://127.0.0.1:{port}/): the address is already in use. Change Kestrel:Endpoints:H2c:Url " +
            "(e.g. --Kestrel:Endpoints:H2c:Url=http://127.0.0.1:0 for any free port), or stop what is using it.", lines[1]);
        Assert.Equal(2, lines.Count);
        Assert.DoesNotContain(" ERR]", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DotnetRunAsTheReadmeShowsRunsInProduction()
    {
        // No launch profile sets ASPNETCORE_ENVIRONMENT: what `dotnet run` starts is what a user deploys.
        var environment = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var run = ChildProcess.Start("dotnet", ["run", "--no-build", "--project", RepositoryFiles.Path("src", "CancelDemo.Server"), "--",
            "--Kestrel:Endpoints:Http1:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0",
            "--Kestrel:Endpoints:H2c:Url=http://127.0.0.1:0", $"--Tls:StateDirectory={CancelDemoServer.StateDirectory}"],
            onLine: line =>
            {
                if (line.Contains("Hosting environment: ", StringComparison.Ordinal))
                {
                    environment.TrySetResult(line[(line.IndexOf("Hosting environment: ", StringComparison.Ordinal) + 21)..]);
                }
            });

        Assert.Equal("Production", await environment.Task.DefaultTimeout());
    }

    [RequiresFact("strace")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task GeneratedPrivateKeyIsCreatedOwnerOnlyInAnOwnerOnlyFolder()
    {
        var state = Path.Combine(Path.GetTempPath(), $"canceldemo-state-{Guid.NewGuid():N}");
        var trace = Path.Combine(Path.GetTempPath(), $"canceldemo-strace-{Guid.NewGuid():N}.txt");
        try
        {
            // strace records the mode each file and folder is created with: a key written world-readable and
            // chmod'ed afterwards could be read by anyone in between.
            await using (await ServerProcess.StartAsync(stateDirectory: state, wrapper: ["strace", "-f", "-qq", "-e", "trace=openat,mkdir,mkdirat", "-o", trace]))
            {
            }

            var calls = await File.ReadAllLinesAsync(trace);
            var keyCreations = calls.Where(c => c.Contains("O_CREAT", StringComparison.Ordinal) && (c.Contains("localhost-key.pem", StringComparison.Ordinal) || c.Contains("localhost.pfx", StringComparison.Ordinal))).ToList();
            Assert.NotEmpty(keyCreations);
            Assert.All(keyCreations, c => Assert.EndsWith(", 0600) = " + c.Split(") = ")[^1], c, StringComparison.Ordinal));
            var folder = Assert.Single(calls, c => c.Contains("mkdir", StringComparison.Ordinal) && c.Contains($"\"{state}\"", StringComparison.Ordinal));
            Assert.Contains(", 0700)", folder, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "localhost-key.pem")));
        }
        finally
        {
            File.Delete(trace);
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }
}
