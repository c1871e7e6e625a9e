namespace CancelDemo.Probe;

/// <summary>Everything one run of the probe needs to know.</summary>
/// <param name="Base">Where requests go: the server, or a proxy in front of it.</param>
/// <param name="Ledger">Where the server's ledger is read: the server itself.</param>
/// <param name="CancelAfter">Overrides each scenario's own cancel time (the seed's).</param>
/// <param name="CaCertificate">A PEM to trust exactly (the server's exported localhost.pem).</param>
public sealed record ProbeSettings(
    Uri Base,
    Uri Ledger,
    Transport Protocol,
    TimeSpan? CancelAfter,
    string? CaCertificate,
    bool Insecure,
    TimeSpan LedgerWait)
{
    /// <summary>The server's default PEM, trusted when no --cacert is given and it exists.</summary>
    public static string DefaultCaCertificate { get; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "CancelDemo", "localhost.pem");
}
