namespace CancelDemo.Server.Kestrel;

/// <summary>Configuration section "Tls": where the generated localhost certificate lives.</summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    /// <summary>
    /// The state folder for the self-signed certificate (localhost.pfx) and its PEM
    /// (localhost.pem, for curl --cacert). Default: ~/.local/share/CancelDemo.
    /// </summary>
    public string StateDirectory { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "CancelDemo");
}
