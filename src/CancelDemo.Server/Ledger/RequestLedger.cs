namespace CancelDemo.Server.Ledger;

/// <summary>
/// The server's view of the audit package's ledger (one ledger, not two): every entry it records is a
/// <see cref="LedgerEntry"/>, read here as one.
/// </summary>
public sealed class RequestLedger(CancellationLedger ledger)
{
    public CancellationLedger Audit => ledger;

    public LedgerEntry? Find(string id) => ledger.Find(id) as LedgerEntry;

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    public IReadOnlyList<LedgerEntry> Recent(int limit) => [.. ledger.Recent(limit).OfType<LedgerEntry>()];

    public LedgerSubscription Subscribe() => ledger.Subscribe();
}
