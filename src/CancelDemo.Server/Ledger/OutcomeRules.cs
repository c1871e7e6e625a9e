namespace CancelDemo.Server.Ledger;

/// <summary>The one place that decides how a request ended, from what the pipeline saw.</summary>
public static class OutcomeRules
{
    /// <param name="statusCode">The response status when the pipeline finished.</param>
    /// <param name="clientAborted">RequestAborted had fired (and not for a server-side timeout).</param>
    /// <param name="workStopped">The handler stopped its work on a signal (it set stoppedAt).</param>
    /// <param name="threw">The pipeline ended with an exception.</param>
    public static (RequestOutcome Outcome, int StatusCode) Decide(int statusCode, bool clientAborted, bool workStopped, bool threw)
    {
        // A response already sent in full is complete even if the client closes right after it.
        if (clientAborted && (threw || workStopped || statusCode == 499))
        {
            return (RequestOutcome.ClientAborted, 499);
        }
        if (threw)
        {
            return (RequestOutcome.Failed, StatusCodes.Status500InternalServerError);
        }
        return statusCode switch
        {
            StatusCodes.Status504GatewayTimeout when workStopped => (RequestOutcome.TimedOut, statusCode),
            StatusCodes.Status503ServiceUnavailable when workStopped => (RequestOutcome.Shutdown, statusCode),
            >= 200 and < 300 => (RequestOutcome.Completed, statusCode),
            _ => (RequestOutcome.Failed, statusCode),
        };
    }
}
