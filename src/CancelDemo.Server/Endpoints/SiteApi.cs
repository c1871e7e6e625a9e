using CancelDemo.Server.Kestrel;

namespace CancelDemo.Server.Endpoints;

/// <summary>What the sample page needs to know about the server.</summary>
public static class SiteApi
{
    public static IEndpointRouteBuilder MapSiteApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/listeners", List).WithTags("Site").WithName("Listeners")
            .WithSummary("The server's listeners: where each is and what it speaks (browsers cannot use h2c).");
        return app;
    }

    public static IReadOnlyList<ListenerInfo> List(Listeners listeners) =>
        [.. listeners.Configured.Order(StringComparer.Ordinal).Select(name => new ListenerInfo(
            name,
            listeners.Url(name)!.ToString().TrimEnd('/'),
            listeners.Protocols(name)!.Value.ToString(),
            BrowserUsable: name != Listeners.H2c))];
}

/// <summary>One listener.</summary>
/// <param name="Name">Http1, Https or H2c.</param>
/// <param name="Url">Where it listens.</param>
/// <param name="Protocols">Kestrel's protocols setting.</param>
/// <param name="BrowserUsable">Browsers speak HTTP/2 only over TLS, so the h2c listener is not for them.</param>
public sealed record ListenerInfo(string Name, string Url, string Protocols, bool BrowserUsable);
