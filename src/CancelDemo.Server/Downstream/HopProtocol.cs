using System.Net;

namespace CancelDemo.Server.Downstream;

/// <summary>How /chain calls its next hop: one of the next server's listeners.</summary>
public enum HopProtocol
{
    /// <summary>HTTP/1.1 on the Http1 listener: a cancel closes the connection.</summary>
    Http1,

    /// <summary>HTTP/2 over TLS on the Https listener: a cancel is an RST_STREAM.</summary>
    Https,

    /// <summary>Cleartext HTTP/2 (prior knowledge) on the H2c listener: a cancel is an RST_STREAM.</summary>
    H2c,
}

public static class HopProtocols
{
    /// <summary>The names on the wire (downstreamProtocol=1.1|2|h2c), as the probe names them.</summary>
    public static IReadOnlyList<(string Name, HopProtocol Value)> Names { get; } = [("1.1", HopProtocol.Http1), ("2", HopProtocol.Https), ("h2c", HopProtocol.H2c)];

    public static Version Version(this HopProtocol protocol) => protocol == HopProtocol.Http1 ? HttpVersion.Version11 : HttpVersion.Version20;
}
