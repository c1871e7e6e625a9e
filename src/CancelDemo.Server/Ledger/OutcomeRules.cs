namespace CancelDemo.Server.Ledger;

/// <summary>The one place that decides how a request ended, from what the pipeline saw.</summary>
public static class OutcomeRules
{
    /// <param name="statusCode">The response status when the pipeline finished.</param>
    /// <param name="stopReason">Why the handler stopped its work early, or None.</param>
    /// <param name="clientGone">RequestAborted had fired by the end of the pipeline.</param>
    /// <param name="threw">The pipeline ended with an exception.</param>
    public static (RequestOutcome Outcome, int StatusCode) Decide(int statusCode, StopReason stopReason, bool clientGone, bool threw)
    {
        switch (stopReason)
        {
            case StopReason.ClientAborted:
                return (RequestOutcome.ClientAborted, 499);
            case StopReason.TimedOut:
                return (RequestOutcome.TimedOut, statusCode);
            case StopReason.Shutdown:
                return (RequestOutcome.Shutdown, statusCode);
        }
        // A response already sent in full is complete even if the client closes right after it.
        if (threw)
        {
            return clientGone ? (RequestOutcome.ClientAborted, 499) : (RequestOutcome.Failed, StatusCodes.Status500InternalServerError);
        }
        return statusCode is >= 200 and < 300 ? (RequestOutcome.Completed, statusCode) : (RequestOutcome.Failed, statusCode);
    }
}
