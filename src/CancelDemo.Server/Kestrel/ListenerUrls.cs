namespace CancelDemo.Server.Kestrel;

/// <summary>Listener URLs as Kestrel takes them: http:// or https://, a host (or * and + for every address) and a port.</summary>
public static class ListenerUrls
{
    /// <summary>The host of a URL bound to every address (* or +), as it reads after <see cref="Parse"/>.</summary>
    public const string AnyHost = "any-address";

    /// <summary>The URL, with * and + hosts read as <see cref="AnyHost"/>; null if Kestrel would refuse it.</summary>
    public static Uri? Parse(string? url)
    {
        var text = url?.Replace("://*", $"://{AnyHost}", StringComparison.Ordinal).Replace("://+", $"://{AnyHost}", StringComparison.Ordinal);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 ? uri : null;
    }

    public static bool IsValid(string url) => Parse(url) is not null;
}
