using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>The harness that runs every real program: a failing line handler must not crash the test host.</summary>
public sealed class ChildProcessTests
{
    [Fact]
    public async Task ALineHandlerThatThrowsIsReportedInTheOutputNotRaisedOnTheOutputThread()
    {
        await using var child = ChildProcess.Start("echo", ["not a URL"], onLine: line => _ = new Uri(line));

        Assert.Equal(0, await child.WaitForExitAsync());
        Assert.Contains("[tests] the line handler failed on the line above: UriFormatException", child.Output, StringComparison.Ordinal);
    }
}
