using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CancelDemo.Server.Kestrel;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Downstream;

/// <summary>
/// One pooled HttpClient per hop protocol, shared by every /chain request. The TLS client trusts this server's
/// own certificate (a chain of CancelDemo servers shares it), Downstream:CaCertificate and what the system trusts.
/// There is no client-side timeout: the request's stop token decides when a call is given up.
/// </summary>
public sealed class DownstreamClients : IDisposable
{
    private readonly Dictionary<HopProtocol, HttpClient> _clients;

    public DownstreamClients(LocalhostCertificate certificate, IOptions<DownstreamOptions> options)
    {
        var trusted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (options.Value.CaCertificate is { Length: > 0 } pem)
        {
            using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(pem));
            trusted.Add(ca.GetCertHashString());
        }
        var own = new Lazy<string>(() => certificate.Certificate.GetCertHashString());
        _clients = Enum.GetValues<HopProtocol>().ToDictionary(p => p, p =>
        {
            var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2) };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                errors == SslPolicyErrors.None || (presented?.GetCertHashString() is { } hash && (hash == own.Value || trusted.Contains(hash)));
            return new HttpClient(handler)
            {
                DefaultRequestVersion = p.Version(),
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Timeout = Timeout.InfiniteTimeSpan,
            };
        });
    }

    public HttpClient For(HopProtocol protocol) => _clients[protocol];

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
