using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Tests;

/// <summary>Bad configuration stops the server at start-up, naming every bad value at once.</summary>
public sealed class StartupValidationTests
{
    [Fact]
    public void BadDeadPeerValuesAreAllReportedAtStartUp()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("DeadPeer:Http2PingDelay", "00:00:00")
            .UseSetting("DeadPeer:TcpKeepAliveCount", "0")
            .UseSetting("DeadPeer:TcpUserTimeout", "02:00:00")
            .UseSetting("DeadPeer:SilenceTimeout", "00:00:05"));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:Http2PingDelay", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:TcpKeepAliveCount is no longer a setting", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:TcpUserTimeout is no longer a setting", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:SilenceTimeout (00:00:05) must be longer than DeadPeer:TcpKeepAliveIdle", StringComparison.Ordinal));
    }

    [Fact]
    public void LedgerCapacityOutOfRangeStopsTheServer()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Ledger:Capacity", "0"));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains(error.Failures, f => f.Contains("Capacity", StringComparison.Ordinal));
    }

    [Fact]
    public void BadDownstreamSettingsAreAllReportedAtStartUp()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Downstream:BaseUrl", "ftp://example")
            .UseSetting("Downstream:CaCertificate", "/no/such/file.pem"));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains(error.Failures, f => f.Contains("Downstream:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Downstream:CaCertificate", StringComparison.Ordinal));
    }
}
