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

    [Fact]
    public async Task BadConfigurationStopsTheRealServerWithAPlainMessageAndExitCode1()
    {
        // ConsoleLog is read before the host exists, DeadPeer's and Transport's options while it is built,
        // Downstream's when it starts: every way out ends the same, the bad value named on stderr, exit code 1,
        // no unhandled exception.
        foreach (var (setting, message) in new[]
        {
            ("--DeadPeer:TcpUserTimeout=00:10:00", "DeadPeer:TcpUserTimeout is no longer a setting"),
            ("--Downstream:BaseUrl=ftp://example", "Downstream:BaseUrl must be an absolute http:// or https:// URL"),
            ("--ConsoleLog:QueueSize=0", "ConsoleLog:QueueSize must be between 1 and"),
            ("--Transport:IOQueueCount=-1", "Transport:IOQueueCount must be between 0"),
        })
        {
            var (exit, output) = await ChildProcess.RunAsync("dotnet", [ServerProcess.Dll, setting, "--Kestrel:Endpoints:Http1:Url=http://127.0.0.1:0",
                "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:0", "--Kestrel:Endpoints:H2c:Url=http://127.0.0.1:0",
                $"--Tls:StateDirectory={CancelDemoServer.StateDirectory}"]);

            Assert.Equal(1, exit);
            Assert.Contains("CancelDemo cannot start: bad configuration.", output, StringComparison.Ordinal);
            Assert.Contains(message, output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        }
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
