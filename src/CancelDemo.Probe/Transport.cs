using System.Net;

namespace CancelDemo.Probe;

/// <summary>
/// How a client reaches the server: one value per named listener of the server (Http1, Https, H2c).
/// On the command line: 1.1, 2 (HTTP/2 over TLS) and h2c.
/// </summary>
public enum Transport
{
    /// <summary>HTTP/1.1 on the Http1 listener.</summary>
    Http1,

    /// <summary>HTTP/2 over TLS (ALPN) on the Https listener.</summary>
    Https,

    /// <summary>Cleartext HTTP/2 with prior knowledge on the H2c listener.</summary>
    H2c,
}

public static class Transports
{
    public static IReadOnlyList<Transport> All { get; } = Enum.GetValues<Transport>();

    /// <summary>The name on the command line and in tables: 1.1, 2 or h2c.</summary>
    public static string Name(this Transport transport) => transport switch
    {
        Transport.Http1 => "1.1",
        Transport.Https => "2",
        _ => "h2c",
    };

    public static Transport? Parse(string text) => text.ToLowerInvariant() switch
    {
        "1.1" or "http1" or "http/1.1" => Transport.Http1,
        "2" or "h2" or "http2" or "http/2" or "https" => Transport.Https,
        "h2c" => Transport.H2c,
        _ => null,
    };

    public static Version Version(this Transport transport) => transport == Transport.Http1 ? HttpVersion.Version11 : HttpVersion.Version20;

    /// <summary>The server's own default listener for this transport, used when no --base is given.</summary>
    public static Uri DefaultBase(this Transport transport) => new(transport switch
    {
        Transport.Http1 => "http://localhost:8080",
        Transport.Https => "https://localhost:8081",
        _ => "http://localhost:8082",
    });

    /// <summary>The protocol the server records for a request sent directly over this transport.</summary>
    public static string WireName(this Transport transport) => transport == Transport.Http1 ? "HTTP/1.1" : "HTTP/2";
}
