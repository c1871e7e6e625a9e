using System.Net;

namespace CancelDemo.Probe;

/// <summary>What the probe speaks: HTTP/1.1, HTTP/2 over TLS, or cleartext HTTP/2 (prior knowledge).</summary>
public enum ProbeProtocol
{
    Http11,
    Http2,
    H2c,
}

public static class ProbeProtocols
{
    public static string Name(this ProbeProtocol protocol) => protocol switch
    {
        ProbeProtocol.Http11 => "1.1",
        ProbeProtocol.Http2 => "2",
        _ => "h2c",
    };

    public static ProbeProtocol? Parse(string text) => text.ToLowerInvariant() switch
    {
        "1.1" or "http1" or "http/1.1" => ProbeProtocol.Http11,
        "2" or "h2" or "http2" or "http/2" => ProbeProtocol.Http2,
        "h2c" => ProbeProtocol.H2c,
        _ => null,
    };

    public static Version Version(this ProbeProtocol protocol) => protocol == ProbeProtocol.Http11 ? HttpVersion.Version11 : HttpVersion.Version20;

    /// <summary>The server's own listener for this protocol (DESIGN.md), used when no --base is given.</summary>
    public static Uri DefaultBase(this ProbeProtocol protocol) => new(protocol switch
    {
        ProbeProtocol.Http11 => "http://localhost:8080",
        ProbeProtocol.Http2 => "https://localhost:8081",
        _ => "http://localhost:8082",
    });

    /// <summary>The protocol the server should record for a request the probe sends directly.</summary>
    public static string WireName(this ProbeProtocol protocol) => protocol == ProbeProtocol.Http11 ? "HTTP/1.1" : "HTTP/2";
}
