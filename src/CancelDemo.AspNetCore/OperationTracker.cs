using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CancelDemo.AspNetCore;

/// <summary>
/// Listens to the requests' own activities (ASP.NET Core's "Microsoft.AspNetCore") and to the operation sources of
/// <see cref="CancellationAuditOptions.ActivitySources"/>: an operation whose parent chain leads to a recorded request
/// of this app's ledger is added to that request when it starts and ended when it stops. The same data OpenTelemetry
/// exports. Sampling follows the parent: a child of a recorded (sampled) trace is recorded, anything else gets its data
/// (so the libraries set their status and error tags) without being marked sampled for anyone downstream.
/// </summary>
internal sealed class OperationTracker(CancellationLedger ledger, IOptions<CancellationAuditOptions> options) : IHostedService, IDisposable
{
    internal const string OperationProperty = "CancelDemo.AspNetCore.Operation";
    private const string AspNetCore = "Microsoft.AspNetCore";
    private ActivityListener? _listener;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var sources = options.Value.ActivitySources;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AspNetCore || sources.Contains(source.Name),
            Sample = static (ref ActivityCreationOptions<ActivityContext> creation) =>
                (creation.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.AllData,
            ActivityStarted = Started,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _listener?.Dispose();

    private void Started(Activity activity)
    {
        if (activity.Source.Name == AspNetCore)
        {
            return; // the request itself: the audit middleware ties it to its record
        }
        for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent.GetCustomProperty(AuditedRequest.ActivityProperty) is AuditedRequest request)
            {
                // Every app in the process hears every activity: only this ledger's requests are ours.
                if (ReferenceEquals(request.Ledger, ledger))
                {
                    activity.SetCustomProperty(OperationProperty, request.OperationStarted(activity));
                }
                return;
            }
        }
    }

    private static void Stopped(Activity activity)
    {
        if (activity.GetCustomProperty(OperationProperty) is { } operation)
        {
            AuditedRequest.OperationStopped(operation, activity);
        }
    }
}
