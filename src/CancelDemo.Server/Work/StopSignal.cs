using CancelDemo.Server.Ledger;
using Microsoft.AspNetCore.Http.Timeouts;

namespace CancelDemo.Server.Work;

/// <summary>Why the work was told to stop. The first source to fire wins.</summary>
public enum StopReason
{
    None,
    ClientAborted,
    TimedOut,
    Shutdown,
}

/// <summary>
/// One token for the work that fires on the client going away, the server-side timeout or the
/// host shutting down, and remembers which came first. A timeout is not a disconnect: when the
/// request-timeouts middleware is in use it folds its timeout into RequestAborted, so the
/// <see cref="IHttpRequestTimeoutFeature"/> is asked before calling an abort a client's.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource? _timeout;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private int _reason;

    public StopSignal(HttpContext context, TimeSpan? timeout, TrackedRequest tracked, TimeProvider clock, CancellationToken shuttingDown)
    {
        var timeoutFeature = context.Features.Get<IHttpRequestTimeoutFeature>();
        _registrations.Add(context.RequestAborted.Register(() =>
        {
            if (timeoutFeature?.RequestTimeoutToken.IsCancellationRequested == true)
            {
                Fire(StopReason.TimedOut);
                return;
            }
            tracked.AbortObserved(clock.GetUtcNow());
            Fire(StopReason.ClientAborted);
        }));
        if (timeout is { } t)
        {
            _timeout = new CancellationTokenSource(t, clock);
            _registrations.Add(_timeout.Token.Register(() => Fire(StopReason.TimedOut)));
        }
        _registrations.Add(shuttingDown.Register(() => Fire(StopReason.Shutdown)));
    }

    public CancellationToken Token => _stop.Token;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _timeout?.Dispose();
        _stop.Dispose();
    }

    private void Fire(StopReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)StopReason.None) == (int)StopReason.None)
        {
            _stop.Cancel();
        }
    }
}
