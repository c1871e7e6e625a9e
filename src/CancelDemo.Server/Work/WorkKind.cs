namespace CancelDemo.Server.Work;

/// <summary>How each step of the costly operation spends its time.</summary>
public enum WorkKind
{
    /// <summary>A timer: the step waits and uses no CPU.</summary>
    Delay,

    /// <summary>Busy computation that checks the token as it goes.</summary>
    Cpu,
}
