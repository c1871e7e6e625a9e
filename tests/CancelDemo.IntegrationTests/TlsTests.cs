using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using CancelDemo.IntegrationTests.Support;

namespace CancelDemo.IntegrationTests;

/// <summary>TLS with no set-up: the HTTPS listener presents the certificate whose PEM the server exported.</summary>
public sealed class TlsTests(CancelDemoServer server) : IClassFixture<CancelDemoServer>
{
    [Fact]
    public async Task HttpsListenerPresentsTheExportedLocalhostCertificateAndOffersHttp2()
    {
        var address = server.BaseAddress(Transport.Https);
        using var exported = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(server.Certificate.PemPath));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port).DefaultTimeout();
        string? presented = null;
        // Trust exactly the exported certificate, as curl --cacert does.
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            presented = certificate?.GetCertHashString();
            return presented == exported.Thumbprint;
        });

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        }).DefaultTimeout();

        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
        Assert.Equal(exported.Thumbprint, presented);
        Assert.Contains("localhost", exported.GetNameInfo(X509NameType.DnsName, false), StringComparison.Ordinal);
    }
}
