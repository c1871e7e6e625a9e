namespace CancelDemo.Probe;

/// <summary>What the client side of a scenario saw.</summary>
/// <param name="SentAt">When the request was sent (client clock).</param>
/// <param name="CancelledAt">When the client gave up (client clock).</param>
/// <param name="ReceivedBytes">Body bytes the client received before it gave up.</param>
/// <param name="Error">What the client's call ended with (exception type), or "none".</param>
public sealed record ClientSide(DateTimeOffset SentAt, DateTimeOffset CancelledAt, long ReceivedBytes, string Error);

/// <summary>How much work the server should have done by the time the client cancelled.</summary>
public enum WorkUnit
{
    /// <summary>Loop iterations of /http1: one per step.</summary>
    Iterations,

    /// <summary>Chunks of /stream: one at the start and one per interval.</summary>
    Chunks,

    /// <summary>Body bytes of /download: what the client had received.</summary>
    Bytes,
}

/// <summary>One way of cancelling a request, against one endpoint.</summary>
/// <param name="Name">The name used on the command line.</param>
/// <param name="PathAndQuery">The endpoint, with the seed's parameters.</param>
/// <param name="DefaultCancelAfter">When the seed gives up.</param>
/// <param name="Step">Iteration step or chunk interval of the endpoint, for work-at-cancel.</param>
/// <param name="Run">Sends the request and cancels it the scenario's way.</param>
public sealed record Scenario(
    string Name,
    string Description,
    string PathAndQuery,
    TimeSpan DefaultCancelAfter,
    WorkUnit Unit,
    TimeSpan Step,
    Func<HttpClient, HttpRequestMessage, TimeSpan, CancellationToken, Task<ClientSide>> Run);
