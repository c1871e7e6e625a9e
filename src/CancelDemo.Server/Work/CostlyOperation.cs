using System.Diagnostics;

namespace CancelDemo.Server.Work;

/// <summary>One step of expensive work that stops as soon as its token fires.</summary>
public sealed class CostlyOperation(TimeProvider clock)
{
    // How much arithmetic runs between two looks at the token: a few microseconds' worth,
    // so a CPU step stops within a tiny fraction of the step, not at its end.
    private const int SpinsPerCheck = 4096;

    public Task RunStepAsync(WorkKind kind, TimeSpan step, CancellationToken cancellationToken) => kind switch
    {
        WorkKind.Delay => Task.Delay(step, clock, cancellationToken),
        WorkKind.Cpu => Task.Run(() => Burn(step, cancellationToken), cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private void Burn(TimeSpan step, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        ulong x = 0x9E3779B97F4A7C15;
        while (clock.GetElapsedTime(started) < step)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < SpinsPerCheck; i++)
            {
                // xorshift: cheap work the JIT cannot remove, because x is kept below.
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }
        }
        Debug.Assert(x != 0);
        GC.KeepAlive(x);
    }
}
