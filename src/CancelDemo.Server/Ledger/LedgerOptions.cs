using System.ComponentModel.DataAnnotations;

namespace CancelDemo.Server.Ledger;

/// <summary>Configuration section "Ledger".</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>How many recent requests the ledger keeps; older ones are forgotten.</summary>
    [Range(1, 100_000)]
    public int Capacity { get; set; } = 1000;
}
