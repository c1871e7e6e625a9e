using System.Diagnostics;
using System.Text.Json;

namespace CancelDemo.Server.Diagnostics;

/// <summary>
/// ActivitySource "CancelDemo": the spans of the server's own work. With nothing listening (OpenTelemetry off, the
/// default) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs nothing.
/// </summary>
public static class ServerActivities
{
    public const string SourceName = "CancelDemo";

    /// <summary>The costly-operation loop of /http1, /http2 and a chain's loop leaf.</summary>
    public const string CostlyOperation = "costly operation";

    public const string IterationsTag = "canceldemo.iterations";
    public const string IterationsCompletedTag = "canceldemo.iterations_completed";
    public const string StopReasonTag = "canceldemo.stop_reason";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>Where the loop ended: how many steps ran, and why it stopped (nothing when it completed).</summary>
    public static void LoopEnded(Activity? loop, int completed, StopReason stopReason)
    {
        if (loop is null)
        {
            return;
        }
        loop.SetTag(IterationsCompletedTag, completed);
        if (stopReason is not StopReason.None)
        {
            // Not an error (the status stays Unset): the work stopped because it was told to. Named as the ledger names it.
            loop.SetTag(StopReasonTag, JsonNamingPolicy.CamelCase.ConvertName(stopReason.ToString()));
        }
    }
}
