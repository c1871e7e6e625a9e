namespace CancelDemo.IntegrationTests.Support;

/// <summary>Points the probe at a test server: its listener for the transport, its ledger, its certificate.</summary>
public static class ProbeSettingsExtensions
{
    public static ProbeSettings ProbeSettings(this CancelDemoServer server, Transport transport, TimeSpan? cancelAfter = null) => new(
        server.BaseAddress(transport),
        server.BaseAddress(Transport.Http1),
        transport,
        cancelAfter,
        server.Certificate.PemPath,
        Insecure: false,
        LedgerWait: TaskTimeouts.Default);
}
