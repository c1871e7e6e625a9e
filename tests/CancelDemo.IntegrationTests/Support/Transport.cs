namespace CancelDemo.IntegrationTests.Support;

/// <summary>The three ways a client reaches the server, one per named listener.</summary>
public enum Transport
{
    /// <summary>HTTP/1.1 on the Http1 listener.</summary>
    Http11,

    /// <summary>HTTP/2 over TLS (ALPN) on the Https listener.</summary>
    Http2Tls,

    /// <summary>HTTP/2 cleartext with prior knowledge on the H2c listener.</summary>
    H2c,
}

public static class TransportExtensions
{
    public static string ExpectedProtocol(this Transport transport) => transport == Transport.Http11 ? "HTTP/1.1" : "HTTP/2";

    public static Version Version(this Transport transport) => transport == Transport.Http11 ? System.Net.HttpVersion.Version11 : System.Net.HttpVersion.Version20;

    public static TheoryData<Transport> All() => new(Transport.Http11, Transport.Http2Tls, Transport.H2c);
}
