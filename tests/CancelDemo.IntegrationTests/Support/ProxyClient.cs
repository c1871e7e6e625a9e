namespace CancelDemo.IntegrationTests.Support;

/// <summary>An HttpClient that speaks exactly HTTP/1.1 or HTTP/2 to a proxy, with SNI "localhost" and only our certificate trusted.</summary>
public static class ProxyClient
{
    public static HttpClient Create(CancelDemoServer server, ProxyProcess proxy, Version version)
    {
        var trusted = server.Certificate.Certificate.GetCertHashString();
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false };
        handler.SslOptions.TargetHost = "localhost";
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == trusted;
        return new HttpClient(new CancelDemo.Probe.VersionPinningHandler(version, handler)) { BaseAddress = proxy.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }
}
