using CancelDemo.Probe;

namespace CancelDemo.IntegrationTests.Support;

/// <summary>Points the probe at a test server: its listener for the protocol, its ledger, its certificate.</summary>
public static class ProbeTarget
{
    public static Transport ToTransport(this ProbeProtocol protocol) => protocol switch
    {
        ProbeProtocol.Http11 => Transport.Http11,
        ProbeProtocol.Http2 => Transport.Http2Tls,
        _ => Transport.H2c,
    };

    public static ProbeSettings ProbeSettings(this CancelDemoServer server, ProbeProtocol protocol, TimeSpan? cancelAfter = null) => new(
        server.BaseAddress(protocol.ToTransport()),
        server.BaseAddress(Transport.Http11),
        protocol,
        cancelAfter,
        server.Certificate.PemPath,
        Insecure: false,
        LedgerWait: TaskTimeouts.Default);
}
