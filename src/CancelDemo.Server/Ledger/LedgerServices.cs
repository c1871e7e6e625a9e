using CancelDemo.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Ledger;

public static class LedgerServices
{
    /// <summary>
    /// The request ledger: the audit package's (CancelDemo.AspNetCore), recording the requests of the endpoints marked
    /// <see cref="RecordInLedgerMetadata"/> as the server's own <see cref="TrackedRequest"/>s, with the checked capacity
    /// of section "Ledger", and counting each one's end in the server's metrics before the end is visible.
    /// </summary>
    public static IServiceCollection AddRequestLedger(this IServiceCollection services)
    {
        services.AddOptions<LedgerOptions>().BindConfiguration(LedgerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LedgerOptions>, ValidateLedgerOptions>();
        services.AddCancellationAudit();
        services.AddOptions<CancellationAuditOptions>().Configure<IOptions<LedgerOptions>, CancelDemoMetrics>((audit, ledger, metrics) =>
        {
            audit.Capacity = ledger.Value.Capacity;
            audit.ShouldRecord = static context => context.GetEndpoint()?.Metadata.GetMetadata<RecordInLedgerMetadata>() is not null;
            audit.CreateRequest = static (start, ledger) => new TrackedRequest(LedgerEntry.Starting(start), ledger);
            audit.OnEnding = (_, request, outcome, _) =>
                metrics.RequestEnded(request.Protocol, request.Route ?? "(none)", request.Stop.AbortToStopMs, outcome, request.Ledger.Clock.GetUtcNow() - request.StartedAt);
        });
        services.AddSingleton<RequestLedger>();
        services.AddSingleton<CancelDemoMetrics>();
        return services;
    }
}
