using System.Text.RegularExpressions;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>samples/postgres/run.sh, as a person uses it: Ctrl-C (or TERM) leaves nothing behind.</summary>
public sealed partial class PostgresSampleTests
{
    [RequiresFact("postgresql", "pgbouncer")]
    public async Task StoppingRunShEndsEveryProcessItStartedAndRemovesItsFolder()
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var script = ChildProcess.Start("bash", [RepositoryFiles.Path("samples", "postgres", "run.sh"), "--pgbouncer"],
            onLine: line => { if (line == "ready") { ready.TrySetResult(); } });
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var folder = FolderLine().Match(script.Output).Groups["folder"].Value;
        Assert.True(Directory.Exists(folder), script.Output);

        await script.SignalAsync("TERM");

        // Waiting for the exit includes waiting for its output to close: a child left running (PostgreSQL,
        // pgbouncer, or the script's own idle `sleep`) would keep the pipe open and this would time out.
        Assert.Equal(143, await script.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(Directory.Exists(folder), script.Output);
        Assert.Contains($"run.sh: stopped and removed {folder}", script.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"data, socket and log in (?<folder>\S+)\)")]
    private static partial Regex FolderLine();
}
