namespace CancelDemo.Probe;

/// <summary>
/// Pins every request to exactly one HTTP version. HttpClient's DefaultRequestVersion applies only to
/// its convenience methods, not to a request message sent with SendAsync.
/// </summary>
internal sealed class VersionPinningHandler(Version version, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Version = version;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return base.SendAsync(request, cancellationToken);
    }
}
