using CancelDemo.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Ledger;

/// <summary>Configuration section "Ledger".</summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";
    public const int MaxCapacity = 100_000;

    /// <summary>How many recent requests the ledger keeps (1–100000); older ones are forgotten.</summary>
    public int Capacity { get; set; } = 1000;
}

public sealed class ValidateLedgerOptions : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options) =>
        options.Capacity is < 1 or > LedgerOptions.MaxCapacity
            ? ValidateOptionsResult.Fail(SettingsCheck.OutOfRange($"{LedgerOptions.Section}:{nameof(options.Capacity)}", options.Capacity, 1, LedgerOptions.MaxCapacity))
            : ValidateOptionsResult.Success;
}
