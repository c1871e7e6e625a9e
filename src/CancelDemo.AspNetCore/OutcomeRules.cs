namespace CancelDemo.AspNetCore;

/// <summary>The one place that decides how a request ended, from what the pipeline saw.</summary>
public static class OutcomeRules
{
    /// <summary>499 Client Closed Request: nginx's code.</summary>
    public const int ClientClosedRequest = 499;

    /// <param name="statusCode">The response status when the pipeline finished.</param>
    /// <param name="stopReason">Why the app stopped its work early, or None.</param>
    /// <param name="clientGone">The client went away while the pipeline ran (RequestAborted fired).</param>
    /// <param name="threw">The pipeline ended with an exception.</param>
    public static (RequestOutcome Outcome, int StatusCode) Decide(int statusCode, StopReason stopReason, bool clientGone, bool threw)
    {
        switch (stopReason)
        {
            case StopReason.ClientAborted:
                return (RequestOutcome.ClientAborted, ClientClosedRequest);
            case StopReason.TimedOut:
                return (RequestOutcome.TimedOut, statusCode);
            case StopReason.Shutdown:
                return (RequestOutcome.Shutdown, statusCode);
        }
        if (clientGone && (threw || statusCode == ClientClosedRequest))
        {
            return (RequestOutcome.ClientAborted, ClientClosedRequest);
        }
        if (threw)
        {
            return (RequestOutcome.Failed, 500);
        }
        // A response already sent in full is complete even if the client closed right after it; a redirect or
        // "not modified" is an answer too; a 4xx or 5xx is not.
        return statusCode is >= 200 and < 400 ? (RequestOutcome.Completed, statusCode) : (RequestOutcome.Failed, statusCode);
    }

    /// <summary>The outcome as the JSON, the logs and the metrics spell it: "clientAborted".</summary>
    public static string Name(this RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Running => "running",
        RequestOutcome.Completed => "completed",
        RequestOutcome.ClientAborted => "clientAborted",
        RequestOutcome.TimedOut => "timedOut",
        RequestOutcome.Shutdown => "shutdown",
        RequestOutcome.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
