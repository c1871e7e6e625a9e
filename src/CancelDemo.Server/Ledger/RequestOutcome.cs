namespace CancelDemo.Server.Ledger;

/// <summary>How a recorded request ended (serialised camelCase: "clientAborted").</summary>
public enum RequestOutcome
{
    Running,
    Completed,
    ClientAborted,
    TimedOut,
    Shutdown,
    Failed,
}
