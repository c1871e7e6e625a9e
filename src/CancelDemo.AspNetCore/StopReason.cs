namespace CancelDemo.AspNetCore;

/// <summary>Why the app stopped a request's work early, when it says so (<see cref="AuditedRequest.RecordStop"/>). The first one counts.</summary>
public enum StopReason
{
    /// <summary>The work has not stopped early.</summary>
    None,

    /// <summary>The client went away.</summary>
    ClientAborted,

    /// <summary>A server-side timeout passed.</summary>
    TimedOut,

    /// <summary>The host was stopping.</summary>
    Shutdown,
}
