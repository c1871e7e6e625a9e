using System.Net;
using CancelDemo.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CancelDemo.IntegrationTests;

/// <summary>
/// CancelDemo.AspNetCore and the cancel-probe tool as a user takes them: packed into a local folder, added to a new
/// `dotnet new web` app with the two lines and one endpoint that never looks at its token, audited from outside.
/// </summary>
public sealed class PackageTests
{
    [Fact]
    public async Task ANewWebAppWithThePackageAndTheToolFromALocalFolderIsAuditedAndItsLeakIsNamed()
    {
        var work = Directory.CreateTempSubdirectory("canceldemo-package-").FullName;
        try
        {
            var (feed, app, tools) = (Path.Combine(work, "feed"), Path.Combine(work, "shop"), Path.Combine(work, "tools"));
            // Its own package cache, so that this build's packages are the ones restored (same version, new code).
            var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages"), ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
            // Packed with the machine's own cache (the net8.0 target's reference packs are there already).
            var packing = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
            await RunAsync(packing, "dotnet", "pack", RepositoryFiles.Path("src", "CancelDemo.AspNetCore"), "-o", feed, "-p:UseSharedCompilation=false");
            await RunAsync(packing, "dotnet", "pack", RepositoryFiles.Path("src", "CancelDemo.Probe"), "-o", feed, "-p:UseSharedCompilation=false");
            Assert.True(File.Exists(Path.Combine(feed, "CancelDemo.AspNetCore.1.0.0.nupkg")));
            Assert.True(File.Exists(Path.Combine(feed, "CancelDemo.Probe.1.0.0.nupkg")));

            // As the README shows it.
            await RunAsync(environment, "dotnet", "new", "web", "-o", app, "--framework", "net10.0");
            await RunAsync(environment, "dotnet", "add", app, "package", "CancelDemo.AspNetCore", "--source", feed);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
                using CancelDemo.AspNetCore;

                var builder = WebApplication.CreateBuilder(args);
                builder.Services.AddCancellationAudit();
                var app = builder.Build();

                // A leak: the handler never looks at its token, so its work runs on after the client has gone.
                app.MapGet("/slow", async () =>
                {
                    await Task.Delay(3000);
                    return "done";
                });
                app.MapCancellationAudit();

                app.Run();
                """);
            await RunAsync(environment, "dotnet", "tool", "install", "CancelDemo.Probe", "--tool-path", tools, "--add-source", feed);
            await RunAsync(environment, "dotnet", "build", app, "-p:UseSharedCompilation=false");

            var port = LoopbackPort.Free();
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var running = ChildProcess.Start("dotnet", ["run", "--no-build", "--project", app, "--urls", $"http://127.0.0.1:{port}"], environment,
                onLine: line =>
                {
                    if (line.Contains("Application started", StringComparison.Ordinal))
                    {
                        started.TrySetResult();
                    }
                });
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var (exit, output) = await ChildProcess.RunAsync(Path.Combine(tools, "cancel-probe"), ["audit", $"http://127.0.0.1:{port}", "--path", "/slow"],
                environment, TimeSpan.FromSeconds(90));

            Assert.True(exit == 2, $"cancel-probe audit exits 2 for a leak; it exited {exit}: {output}");
            Assert.Contains("/slow (1.1) leaks", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task AnAppWithoutTheLedgerIsRefusedWithWhatToAdd()
    {
        // A plain app: no AddCancellationAudit, no MapCancellationAudit.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var plain = builder.Build();
        plain.MapGet("/orders/1", () => "an order");
        await plain.StartAsync();
        var address = plain.Urls.Single();

        var (exit, output) = await ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "CancelDemo.Probe.dll"), "audit", address, "--path", "/orders/1"],
            timeout: TimeSpan.FromSeconds(60));

        Assert.True(exit == 1, output);
        Assert.Contains("has no cancellation ledger", output, StringComparison.Ordinal);
        Assert.Contains("builder.Services.AddCancellationAudit();", output, StringComparison.Ordinal);
        Assert.Contains("app.MapCancellationAudit();", output, StringComparison.Ordinal);
        await plain.StopAsync();
    }

    private static async Task RunAsync(IReadOnlyDictionary<string, string> environment, string command, params string[] arguments)
    {
        var (exit, output) = await ChildProcess.RunAsync(command, arguments, environment, TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, $"{command} {string.Join(' ', arguments)} exited {exit}: {output}");
    }
}
