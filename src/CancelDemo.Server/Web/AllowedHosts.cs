using CancelDemo.Server.Kestrel;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Web;

/// <summary>
/// Host filtering (the standard AllowedHosts setting): by default only the names a listener is bound to are
/// served (localhost, 127.0.0.1, [::1], and the host of every configured listener URL), so a page on another
/// origin cannot read the ledger through DNS rebinding. AllowedHosts=* turns the check off; a listener bound to
/// all addresses (0.0.0.0, [::], *) needs AllowedHosts naming the host names clients will use.
/// </summary>
public sealed class AllowedHosts(IConfiguration configuration) : IPostConfigureOptions<HostFilteringOptions>
{
    public const string Loopback = "localhost;127.0.0.1;[::1]";

    public void PostConfigure(string? name, HostFilteringOptions options)
    {
        if (options.AllowedHosts.Contains("*"))
        {
            return;
        }
        // The web defaults set it from configuration as a fixed-size array.
        options.AllowedHosts = [.. options.AllowedHosts.Union(ListenerHosts(configuration), StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The host of every configured Kestrel endpoint URL that names one (not a wildcard address).</summary>
    public static IEnumerable<string> ListenerHosts(IConfiguration configuration) =>
        configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(endpoint => ListenerUrls.Parse(endpoint["Url"])?.Host)
            .OfType<string>()
            .Where(host => host is not (ListenerUrls.AnyHost or "0.0.0.0" or "[::]"))
            .Distinct(StringComparer.OrdinalIgnoreCase);
}

public static class AllowedHostsServices
{
    /// <summary>
    /// Host filtering limited to the listeners' names, run inside the server's own pipeline rather than first of all
    /// (where the web host's defaults put it): a refused Host is then recorded like any other 400, with its summary
    /// line at Information, and answered with ProblemDetails (the status-code pages) instead of an HTML page.
    /// </summary>
    public static IServiceCollection AddCancelDemoHostFiltering(this IServiceCollection services)
    {
        // The web host's defaults add the filter as a startup filter, in front of every middleware: take it out.
        var defaults = services.Where(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType?.Name == "HostFilteringStartupFilter").ToList();
        foreach (var descriptor in defaults)
        {
            services.Remove(descriptor);
        }
        services.AddSingleton<IPostConfigureOptions<HostFilteringOptions>, AllowedHosts>();
        return services.Configure<HostFilteringOptions>(o => o.IncludeFailureMessage = false);
    }
}
