using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CancelDemo.Probe;

/// <summary>
/// The one way the probe (and the tests) build an HttpClient for the server: pinned to exactly one
/// HTTP version, trusting exactly the server's certificate (as curl --cacert does) plus what the
/// system trusts, or nothing at all with --insecure.
/// </summary>
public static class HttpClients
{
    /// <summary>A handler that trusts <paramref name="trusted"/> (or, if <paramref name="insecure"/>, anything).</summary>
    public static SocketsHttpHandler Handler(X509Certificate2? trusted, bool insecure = false, SocketsHttpHandler? handler = null)
    {
        handler ??= new SocketsHttpHandler { EnableMultipleHttp2Connections = false };
        if (insecure)
        {
#pragma warning disable CA5359 // --insecure is the user's explicit choice, like curl --insecure.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (trusted is not null)
        {
            var thumbprint = trusted.GetCertHashString();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || certificate?.GetCertHashString() == thumbprint;
        }
        return handler;
    }

    /// <summary>A client for <paramref name="baseAddress"/> that speaks exactly <paramref name="version"/>, with no client-side timeout.</summary>
    public static HttpClient Create(Uri baseAddress, Version version, HttpMessageHandler handler) =>
        new(new VersionPinningHandler(version, handler))
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>
    /// Pins every request to exactly one HTTP version. HttpClient's DefaultRequestVersion applies only to
    /// its convenience methods, not to a request message sent with SendAsync.
    /// </summary>
    private sealed class VersionPinningHandler(Version version, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = version;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
