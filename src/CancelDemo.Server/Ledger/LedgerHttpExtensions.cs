namespace CancelDemo.Server.Ledger;

/// <summary>Marks endpoints whose requests go in the ledger.</summary>
public sealed class RecordInLedgerMetadata;

public static class LedgerHttpExtensions
{
    public static TBuilder RecordInLedger<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RecordInLedgerMetadata());

    /// <summary>The ledger entry of this request; only endpoints marked <see cref="RecordInLedger{TBuilder}"/> have one.</summary>
    public static TrackedRequest GetTrackedRequest(this HttpContext context) =>
        context.Features.Get<TrackedRequest>()
        ?? throw new InvalidOperationException($"{context.Request.Path} is not recorded in the ledger; mark its endpoint with RecordInLedger().");
}
