using CancelDemo.Server.Ledger;

namespace CancelDemo.Server.Tests;

public sealed class OutcomeRulesTests
{
    [Theory]
    [InlineData(200, StopReason.None, false, false, RequestOutcome.Completed, 200)]
    [InlineData(200, StopReason.None, true, false, RequestOutcome.Completed, 200)] // closed right after a full response
    [InlineData(499, StopReason.ClientAborted, true, false, RequestOutcome.ClientAborted, 499)]
    [InlineData(200, StopReason.ClientAborted, true, false, RequestOutcome.ClientAborted, 499)] // stream cut after headers
    [InlineData(200, StopReason.None, true, true, RequestOutcome.ClientAborted, 499)]
    [InlineData(504, StopReason.TimedOut, false, false, RequestOutcome.TimedOut, 504)]
    [InlineData(503, StopReason.Shutdown, false, false, RequestOutcome.Shutdown, 503)]
    [InlineData(200, StopReason.Shutdown, false, false, RequestOutcome.Shutdown, 200)] // stream cut by shutdown after headers
    [InlineData(400, StopReason.None, false, false, RequestOutcome.Failed, 400)]
    [InlineData(301, StopReason.None, false, false, RequestOutcome.Completed, 301)] // a redirect (/swagger) is an answer, not a failure
    [InlineData(304, StopReason.None, false, false, RequestOutcome.Completed, 304)] // the sample page's files, unchanged
    [InlineData(200, StopReason.None, false, true, RequestOutcome.Failed, 500)]
    public void DecidesTheOutcomeFromWhatThePipelineSaw(int status, StopReason stopReason, bool clientGone, bool threw, RequestOutcome outcome, int recorded)
    {
        Assert.Equal((outcome, recorded), OutcomeRules.Decide(status, stopReason, clientGone, threw));
    }
}
