namespace CancelDemo.Server.Ledger;

/// <summary>
/// Endpoint metadata: requests to this endpoint go in the ledger. Added by every handler that takes a
/// <see cref="Work.StopSignal"/>, so an endpoint that does stoppable work is always recorded.
/// </summary>
public sealed class RecordInLedgerMetadata;
