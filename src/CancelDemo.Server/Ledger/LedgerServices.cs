using CancelDemo.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace CancelDemo.Server.Ledger;

public static class LedgerServices
{
    /// <summary>The request ledger (checked capacity) and the metrics it feeds.</summary>
    public static IServiceCollection AddRequestLedger(this IServiceCollection services)
    {
        services.AddOptions<LedgerOptions>().BindConfiguration(LedgerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LedgerOptions>, ValidateLedgerOptions>();
        services.AddSingleton<RequestLedger>();
        services.AddSingleton<CancelDemoMetrics>();
        return services;
    }
}
