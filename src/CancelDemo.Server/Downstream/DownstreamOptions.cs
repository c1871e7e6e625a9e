using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Downstream;

/// <summary>Configuration section "Downstream": the next hop /chain calls.</summary>
public sealed class DownstreamOptions
{
    public const string Section = "Downstream";

    /// <summary>
    /// The next hop: another CancelDemo server (any of its listeners; its /listeners endpoint says where the
    /// others are). Unset: this server itself, so one process can show a chain.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>A PEM certificate to trust for the next hop's TLS listener, besides this server's own and the system's.</summary>
    public string? CaCertificate { get; set; }
}

public sealed class ValidateDownstreamOptions : IValidateOptions<DownstreamOptions>
{
    public ValidateOptionsResult Validate(string? name, DownstreamOptions options)
    {
        var errors = new List<string>();
        if (options.BaseUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"Downstream:BaseUrl must be an absolute http:// or https:// URL (it is '{url}').");
        }
        if (options.CaCertificate is { Length: > 0 } pem && !File.Exists(pem))
        {
            errors.Add($"Downstream:CaCertificate names a file that does not exist ('{pem}').");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
