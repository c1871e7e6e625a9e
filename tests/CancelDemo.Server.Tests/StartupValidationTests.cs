using CancelDemo.Server.DeadPeer;
using CancelDemo.Server.Downstream;
using CancelDemo.Server.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Tests;

/// <summary>
/// Bad configuration stops the host at start-up, naming every bad value at once. Each test starts a host with
/// the registration the server's Program uses, so the failure is the host's own start-up check. (Through
/// WebApplicationFactory the same check raced the factory: the app disposed its failed host while the factory
/// still read its services, and the test saw an ObjectDisposedException now and then.) That the real server
/// process refuses to start is StandaloneServerTests' job.
/// </summary>
public sealed class StartupValidationTests
{
    [Fact]
    public void BadDeadPeerValuesAreAllReportedAtStartUp()
    {
        var error = StartUpFails(s => s.AddDeadPeerDetection(),
            ("DeadPeer:Http2PingDelay", "00:00:00"),
            ("DeadPeer:TcpKeepAliveCount", "0"),
            ("DeadPeer:TcpUserTimeout", "02:00:00"),
            ("DeadPeer:SilenceTimeout", "00:00:05"));

        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:Http2PingDelay", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:TcpKeepAliveCount is no longer a setting", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:TcpUserTimeout is no longer a setting", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("DeadPeer:SilenceTimeout (00:00:05) must be longer than DeadPeer:TcpKeepAliveIdle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GoodDeadPeerValuesStartTheHost()
    {
        using var host = Build(s => s.AddDeadPeerDetection(), ("DeadPeer:SilenceTimeout", "00:00:30"));

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void LedgerCapacityOutOfRangeStopsTheServer()
    {
        var error = StartUpFails(s => s.AddRequestLedger(), ("Ledger:Capacity", "0"));

        Assert.Contains(error.Failures, f => f.Contains("Capacity", StringComparison.Ordinal));
    }

    [Fact]
    public void BadDownstreamSettingsAreAllReportedAtStartUp()
    {
        var error = StartUpFails(s => s.AddDownstream(),
            ("Downstream:BaseUrl", "ftp://example"),
            ("Downstream:CaCertificate", "/no/such/file.pem"));

        Assert.Contains(error.Failures, f => f.Contains("Downstream:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Downstream:CaCertificate", StringComparison.Ordinal));
    }

    private static OptionsValidationException StartUpFails(Action<IServiceCollection> register, params (string Key, string Value)[] settings)
    {
        using var host = Build(register, settings);
        return Assert.Throws<OptionsValidationException>(() => host.Start());
    }

    private static IHost Build(Action<IServiceCollection> register, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.Services.AddLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        register(builder.Services);
        return builder.Build();
    }
}
