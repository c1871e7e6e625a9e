using CancelDemo.Server.Kestrel;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Web;

/// <summary>
/// CORS for the sample page: a page served by one listener may call another (http://localhost:8080
/// calling https://localhost:8081, as in the seed), and no other origin may.
/// </summary>
public sealed class OwnOrigins(Listeners listeners) : IConfigureOptions<CorsOptions>
{
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    public void Configure(CorsOptions options) => options.AddDefaultPolicy(policy => policy
        .SetIsOriginAllowed(IsOwn)
        .WithMethods(HttpMethods.Get)
        .WithHeaders(RequestIds.Header)
        .WithExposedHeaders(RequestIds.Header));

    public bool IsOwn(string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }
        foreach (var name in listeners.Configured)
        {
            if (listeners.Url(name) is not { } url || url.Scheme != uri.Scheme || url.Port != uri.Port)
            {
                continue;
            }
            // One loopback listener is reachable under each of its names.
            var sameHost = string.Equals(url.Host, uri.Host, StringComparison.OrdinalIgnoreCase)
                || (LoopbackNames.Contains(url.Host, StringComparer.OrdinalIgnoreCase) && LoopbackNames.Contains(uri.Host, StringComparer.OrdinalIgnoreCase));
            if (sameHost)
            {
                return true;
            }
        }
        return false;
    }
}

public static class OwnOriginsServices
{
    /// <summary>CORS limited to the server's own listeners, for the sample page's cross-origin calls.</summary>
    public static IServiceCollection AddOwnOriginsCors(this IServiceCollection services) =>
        services.AddCors().AddSingleton<IConfigureOptions<CorsOptions>, OwnOrigins>();
}
