namespace CancelDemo.Server.Ledger;

/// <summary>Why the work was told to stop. The first source to fire wins.</summary>
public enum StopReason
{
    None,
    ClientAborted,
    TimedOut,
    Shutdown,
}
