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
            .Select(endpoint => endpoint["Url"]?.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal))
            .Select(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : null)
            .OfType<string>()
            .Where(host => host is not ("wildcard" or "0.0.0.0" or "[::]"))
            .Distinct(StringComparer.OrdinalIgnoreCase);
}
