using CancelDemo.AspNetCore.Transport;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CancelDemo.AspNetCore;

/// <summary>Adds the cancellation audit to an app's services.</summary>
public static class CancellationAuditServiceCollectionExtensions
{
    /// <summary>
    /// The cancellation audit: a ledger of the requests (<see cref="CancellationLedger"/>), the tracker of the
    /// operations they start, FIN and RST read from each Kestrel connection, a log line and metrics (meter
    /// "CancelDemo.AspNetCore") for work that runs on after an abort. Map its endpoints with MapCancellationAudit.
    /// </summary>
    public static IServiceCollection AddCancellationAudit(this IServiceCollection services, Action<CancellationAuditOptions>? configure = null)
    {
        var options = services.AddOptions<CancellationAuditOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.Validate(o => o.Capacity >= 1, "CancellationAuditOptions.Capacity must be at least 1.")
            .Validate(o => o.RanOnThreshold >= TimeSpan.Zero, "CancellationAuditOptions.RanOnThreshold must not be negative.");
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<CancellationLedger>();
        services.TryAddSingleton<AuditMetrics>();
        services.AddHostedService<OperationTracker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, TransportSignals.Defaults>());
        return services;
    }
}
