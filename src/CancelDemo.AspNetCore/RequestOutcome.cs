namespace CancelDemo.AspNetCore;

/// <summary>How a recorded request ended (JSON: camelCase, "clientAborted").</summary>
public enum RequestOutcome
{
    /// <summary>The pipeline has not finished with it.</summary>
    Running,

    /// <summary>Answered with a 2xx or 3xx.</summary>
    Completed,

    /// <summary>The client went away before the answer: recorded as 499, nginx's "client closed request".</summary>
    ClientAborted,

    /// <summary>A server-side timeout stopped the work.</summary>
    TimedOut,

    /// <summary>The host was stopping.</summary>
    Shutdown,

    /// <summary>A 4xx or 5xx, or an unhandled exception.</summary>
    Failed,
}
