using System.Diagnostics;

namespace CancelDemo.AspNetCore;

/// <summary>How an operation ended, read from its Activity the way the libraries report it.</summary>
internal static class Endings
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    /// <summary>
    /// cancelled: the library says so (error.type TaskCanceledException or OperationCanceledException, an exception
    /// event of such a type, PostgreSQL's 57014, gRPC's Cancelled or DeadlineExceeded, "cancel" in the status);
    /// failed: any other error; else completed.
    /// </summary>
    public static string Of(Activity activity)
    {
        var grpc = activity.GetTagItem("grpc.status_code") ?? activity.GetTagItem("rpc.grpc.status_code");
        if (grpc is not null && Convert.ToString(grpc, System.Globalization.CultureInfo.InvariantCulture) is "1" or "4")
        {
            return Cancelled;
        }
        if (activity.Status != ActivityStatusCode.Error)
        {
            return Completed;
        }
        if (IsCancel(activity.GetTagItem("error.type") as string) || IsCancel(activity.StatusDescription)
            || activity.GetTagItem("db.response.status_code") as string == "57014")
        {
            return Cancelled;
        }
        foreach (var e in activity.Events)
        {
            foreach (var tag in e.Tags)
            {
                if (tag.Key == "exception.type" && IsCancel(tag.Value as string))
                {
                    return Cancelled;
                }
            }
        }
        return Failed;
    }

    private static bool IsCancel(string? text) => text is not null && text.Contains("cancel", StringComparison.OrdinalIgnoreCase);
}
