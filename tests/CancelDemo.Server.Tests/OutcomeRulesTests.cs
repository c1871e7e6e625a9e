using CancelDemo.Server.Ledger;

namespace CancelDemo.Server.Tests;

public sealed class OutcomeRulesTests
{
    [Theory]
    [InlineData(200, false, false, false, RequestOutcome.Completed, 200)]
    [InlineData(200, true, false, false, RequestOutcome.Completed, 200)] // closed right after a full response
    [InlineData(499, true, true, false, RequestOutcome.ClientAborted, 499)]
    [InlineData(200, true, true, false, RequestOutcome.ClientAborted, 499)] // stream cut after headers
    [InlineData(200, true, false, true, RequestOutcome.ClientAborted, 499)]
    [InlineData(504, false, true, false, RequestOutcome.TimedOut, 504)]
    [InlineData(503, false, true, false, RequestOutcome.Shutdown, 503)]
    [InlineData(400, false, false, false, RequestOutcome.Failed, 400)]
    [InlineData(200, false, false, true, RequestOutcome.Failed, 500)]
    public void DecidesTheOutcomeFromWhatThePipelineSaw(int status, bool aborted, bool stopped, bool threw, RequestOutcome outcome, int recorded)
    {
        Assert.Equal((outcome, recorded), OutcomeRules.Decide(status, aborted, stopped, threw));
    }
}
