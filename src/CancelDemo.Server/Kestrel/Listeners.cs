using System.Collections.Concurrent;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CancelDemo.Server.Kestrel;

/// <summary>
/// The server's named Kestrel endpoints (Http1, Https, H2c) and where each really listens once bound
/// (port 0 becomes the port the OS chose), so the banner, the sample page and tests can find them.
/// </summary>
public sealed class Listeners
{
    public const string Http1 = "Http1";
    public const string Https = "Https";
    public const string H2c = "H2c";

    public static IReadOnlyList<string> Names { get; } = [Http1, Https, H2c];

    private readonly ConcurrentDictionary<string, (Uri Configured, ListenOptions Options)> _byName = new(StringComparer.OrdinalIgnoreCase);

    internal void Record(string name, Uri configured, ListenOptions options) => _byName[name] = (configured, options);

    /// <summary>The URL a client uses for <paramref name="name"/>, or null if it is not configured.</summary>
    public Uri? Url(string name)
    {
        if (!_byName.TryGetValue(name, out var listener))
        {
            return null;
        }
        var builder = new UriBuilder(listener.Configured) { Path = "/" };
        // localhost binds two sockets on a fixed port, so only an explicit address can be port 0.
        if (listener.Options.IPEndPoint is { Port: > 0 } bound && builder.Port == 0)
        {
            builder.Port = bound.Port;
        }
        return builder.Uri;
    }

    public HttpProtocols? Protocols(string name) => _byName.TryGetValue(name, out var l) ? l.Options.Protocols : null;

    public IEnumerable<string> Configured => _byName.Keys;
}
