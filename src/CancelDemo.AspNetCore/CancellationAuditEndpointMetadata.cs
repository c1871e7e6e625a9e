namespace CancelDemo.AspNetCore;

/// <summary>Endpoint metadata of the ledger's own endpoints: they are not recorded (reading the ledger is not work to audit).</summary>
public sealed class CancellationAuditEndpointMetadata;
